-- CreateEnum
CREATE TYPE "Confirmation" AS ENUM ('confirmed', 'announced', 'reported', 'unconfirmed');

-- CreateEnum
CREATE TYPE "PressAccess" AS ENUM ('open', 'pool', 'closed', 'unknown');

-- CreateEnum
CREATE TYPE "SourceKind" AS ENUM ('official', 'pool_report', 'media', 'other');

-- CreateEnum
CREATE TYPE "ChangeEntity" AS ENUM ('visit', 'leg', 'engagement');

-- CreateEnum
CREATE TYPE "ChangeAction" AS ENUM ('create', 'update', 'delete');

-- AlterEnum
ALTER TYPE "TimePrecision" ADD VALUE 'tbd';

-- AlterTable
ALTER TABLE "engagements" ADD COLUMN     "announced_at" TIMESTAMPTZ(3),
ADD COLUMN     "confirmation" "Confirmation" NOT NULL DEFAULT 'unconfirmed',
ADD COLUMN     "press_access" "PressAccess" NOT NULL DEFAULT 'unknown',
ADD COLUMN     "search_vector" tsvector,
ADD COLUMN     "time_label" TEXT,
ADD COLUMN     "title_translations" JSONB NOT NULL DEFAULT '{}';

-- AlterTable
ALTER TABLE "participants" ADD COLUMN     "alt_names" TEXT[] DEFAULT ARRAY[]::TEXT[],
ADD COLUMN     "name_translations" JSONB NOT NULL DEFAULT '{}',
ADD COLUMN     "version" INTEGER NOT NULL DEFAULT 1,
ADD COLUMN     "wikidata_id" TEXT;

-- AlterTable
ALTER TABLE "sources" ADD COLUMN     "kind" "SourceKind" NOT NULL DEFAULT 'other';

-- AlterTable
ALTER TABLE "venues" ADD COLUMN     "name_translations" JSONB NOT NULL DEFAULT '{}';

-- AlterTable
ALTER TABLE "visits" ADD COLUMN     "title_translations" JSONB NOT NULL DEFAULT '{}';

-- CreateTable
CREATE TABLE "changes" (
    "sequence" BIGSERIAL NOT NULL,
    "entity" "ChangeEntity" NOT NULL,
    "entity_id" UUID NOT NULL,
    "visit_id" UUID NOT NULL,
    "action" "ChangeAction" NOT NULL,
    "fields" JSONB NOT NULL,
    "snapshot" JSONB,
    "actor" TEXT NOT NULL,
    "reason" TEXT,
    "source" TEXT,
    "recorded_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "visible_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "changes_pkey" PRIMARY KEY ("sequence")
);

-- CreateIndex
CREATE INDEX "changes_visit_id_sequence_idx" ON "changes"("visit_id", "sequence");

-- CreateIndex
CREATE INDEX "changes_visible_at_sequence_idx" ON "changes"("visible_at", "sequence");

-- CreateIndex
CREATE INDEX "changes_recorded_at_idx" ON "changes"("recorded_at");

-- CreateIndex
CREATE INDEX "engagements_search_vector_idx" ON "engagements" USING GIN ("search_vector");

-- CreateIndex
CREATE INDEX "engagements_confirmation_idx" ON "engagements"("confirmation");

-- CreateIndex
CREATE INDEX "engagements_press_access_idx" ON "engagements"("press_access");

-- CreateIndex
CREATE UNIQUE INDEX "participants_wikidata_id_key" ON "participants"("wikidata_id");

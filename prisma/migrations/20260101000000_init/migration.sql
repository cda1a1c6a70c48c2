-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateEnum
CREATE TYPE "VisitKind" AS ENUM ('state_visit', 'official_visit', 'working_visit', 'summit', 'tour', 'other');

-- CreateEnum
CREATE TYPE "ScheduleStatus" AS ENUM ('scheduled', 'confirmed', 'tentative', 'postponed', 'cancelled', 'completed');

-- CreateEnum
CREATE TYPE "EngagementKind" AS ENUM ('arrival', 'departure', 'summit', 'meeting', 'talks', 'meal', 'forum', 'community', 'site_visit', 'ceremony', 'press', 'other');

-- CreateEnum
CREATE TYPE "TimePrecision" AS ENUM ('exact', 'part_of_day', 'date');

-- CreateEnum
CREATE TYPE "PartOfDay" AS ENUM ('morning', 'midday', 'afternoon', 'evening');

-- CreateEnum
CREATE TYPE "ParticipantRole" AS ENUM ('host', 'counterpart', 'guest', 'greeter', 'attendee');

-- CreateTable
CREATE TABLE "visits" (
    "id" UUID NOT NULL,
    "slug" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "principal_name" TEXT NOT NULL,
    "principal_title" TEXT NOT NULL,
    "origin_country" CHAR(2) NOT NULL,
    "kind" "VisitKind" NOT NULL,
    "status" "ScheduleStatus" NOT NULL,
    "home_time_zone" TEXT NOT NULL,
    "start_date" DATE NOT NULL,
    "end_date" DATE NOT NULL,
    "summary" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    "version" INTEGER NOT NULL DEFAULT 1,

    CONSTRAINT "visits_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "legs" (
    "id" UUID NOT NULL,
    "visit_id" UUID NOT NULL,
    "sequence" INTEGER NOT NULL,
    "city" TEXT NOT NULL,
    "country" CHAR(2) NOT NULL,
    "time_zone" TEXT NOT NULL,
    "start_date" DATE NOT NULL,
    "end_date" DATE NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    "version" INTEGER NOT NULL DEFAULT 1,

    CONSTRAINT "legs_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "engagements" (
    "id" UUID NOT NULL,
    "visit_id" UUID NOT NULL,
    "leg_id" UUID,
    "title" TEXT NOT NULL,
    "kind" "EngagementKind" NOT NULL,
    "status" "ScheduleStatus" NOT NULL,
    "precision" "TimePrecision" NOT NULL,
    "part_of_day" "PartOfDay",
    "starts_at" TIMESTAMPTZ(3) NOT NULL,
    "ends_at" TIMESTAMPTZ(3),
    "time_zone" TEXT NOT NULL,
    "local_date" DATE NOT NULL,
    "venue_id" UUID,
    "description" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    "version" INTEGER NOT NULL DEFAULT 1,

    CONSTRAINT "engagements_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "venues" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "city" TEXT NOT NULL,
    "country" CHAR(2) NOT NULL,
    "address" TEXT,
    "latitude" DOUBLE PRECISION,
    "longitude" DOUBLE PRECISION,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "venues_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "participants" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "name_key" TEXT NOT NULL,
    "country" CHAR(2),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "participants_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "engagement_participants" (
    "engagement_id" UUID NOT NULL,
    "position" INTEGER NOT NULL,
    "participant_id" UUID NOT NULL,
    "role" "ParticipantRole" NOT NULL,
    "title" TEXT,
    "organisation" TEXT,

    CONSTRAINT "engagement_participants_pkey" PRIMARY KEY ("engagement_id","position")
);

-- CreateTable
CREATE TABLE "sources" (
    "id" UUID NOT NULL,
    "engagement_id" UUID NOT NULL,
    "position" INTEGER NOT NULL,
    "url" TEXT,
    "title" TEXT NOT NULL,
    "publisher" TEXT,
    "published_at" TIMESTAMPTZ(3),

    CONSTRAINT "sources_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "visits_slug_key" ON "visits"("slug");

-- CreateIndex
CREATE INDEX "visits_start_date_id_idx" ON "visits"("start_date", "id");

-- CreateIndex
CREATE INDEX "visits_origin_country_idx" ON "visits"("origin_country");

-- CreateIndex
CREATE INDEX "visits_principal_name_idx" ON "visits"("principal_name");

-- CreateIndex
CREATE INDEX "legs_city_idx" ON "legs"("city");

-- CreateIndex
CREATE UNIQUE INDEX "legs_visit_id_sequence_key" ON "legs"("visit_id", "sequence");

-- CreateIndex
CREATE INDEX "engagements_starts_at_id_idx" ON "engagements"("starts_at", "id");

-- CreateIndex
CREATE INDEX "engagements_visit_id_starts_at_idx" ON "engagements"("visit_id", "starts_at");

-- CreateIndex
CREATE INDEX "engagements_leg_id_idx" ON "engagements"("leg_id");

-- CreateIndex
CREATE INDEX "engagements_local_date_idx" ON "engagements"("local_date");

-- CreateIndex
CREATE INDEX "engagements_venue_id_idx" ON "engagements"("venue_id");

-- CreateIndex
CREATE INDEX "venues_city_idx" ON "venues"("city");

-- CreateIndex
CREATE UNIQUE INDEX "venues_name_city_country_key" ON "venues"("name", "city", "country");

-- CreateIndex
CREATE UNIQUE INDEX "participants_name_key_key" ON "participants"("name_key");

-- CreateIndex
CREATE INDEX "engagement_participants_participant_id_idx" ON "engagement_participants"("participant_id");

-- CreateIndex
CREATE UNIQUE INDEX "engagement_participants_engagement_id_participant_id_key" ON "engagement_participants"("engagement_id", "participant_id");

-- CreateIndex
CREATE UNIQUE INDEX "sources_engagement_id_position_key" ON "sources"("engagement_id", "position");

-- AddForeignKey
ALTER TABLE "legs" ADD CONSTRAINT "legs_visit_id_fkey" FOREIGN KEY ("visit_id") REFERENCES "visits"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "engagements" ADD CONSTRAINT "engagements_visit_id_fkey" FOREIGN KEY ("visit_id") REFERENCES "visits"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "engagements" ADD CONSTRAINT "engagements_leg_id_fkey" FOREIGN KEY ("leg_id") REFERENCES "legs"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "engagements" ADD CONSTRAINT "engagements_venue_id_fkey" FOREIGN KEY ("venue_id") REFERENCES "venues"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "engagement_participants" ADD CONSTRAINT "engagement_participants_engagement_id_fkey" FOREIGN KEY ("engagement_id") REFERENCES "engagements"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "engagement_participants" ADD CONSTRAINT "engagement_participants_participant_id_fkey" FOREIGN KEY ("participant_id") REFERENCES "participants"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "sources" ADD CONSTRAINT "sources_engagement_id_fkey" FOREIGN KEY ("engagement_id") REFERENCES "engagements"("id") ON DELETE CASCADE ON UPDATE CASCADE;

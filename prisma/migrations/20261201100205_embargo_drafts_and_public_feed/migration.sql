-- DropIndex
DROP INDEX "participants_name_key_key";

-- DropIndex
DROP INDEX "participants_wikidata_id_key";

-- DropIndex
DROP INDEX "venues_name_city_country_key";

-- AlterTable
ALTER TABLE "changes" ADD COLUMN     "public_sequence" BIGINT;

-- AlterTable
ALTER TABLE "engagement_participants" ADD COLUMN     "pending" JSONB;

-- AlterTable
ALTER TABLE "engagements" ADD COLUMN     "pending_author" JSONB,
ADD COLUMN     "venue_pending" JSONB;

-- AlterTable
ALTER TABLE "idempotency_keys" ADD COLUMN     "token_scopes" TEXT[] DEFAULT ARRAY[]::TEXT[];

-- AlterTable
ALTER TABLE "participants" ADD COLUMN     "draft_of" UUID;

-- AlterTable
ALTER TABLE "venues" ADD COLUMN     "draft_of" UUID;

-- CreateIndex
CREATE UNIQUE INDEX "changes_public_sequence_key" ON "changes"("public_sequence");

-- CreateIndex
CREATE INDEX "changes_visit_id_public_sequence_idx" ON "changes"("visit_id", "public_sequence");

-- CreateIndex
CREATE INDEX "changes_awaiting_public_sequence_idx" ON "changes"("visible_at") WHERE (public_sequence IS NULL);

-- CreateIndex
CREATE INDEX "engagements_pending_publication_idx" ON "engagements"("embargo_until") WHERE (pending_author IS NOT NULL);

-- CreateIndex
CREATE INDEX "participants_name_key_idx" ON "participants"("name_key");

-- CreateIndex
CREATE INDEX "participants_draft_of_idx" ON "participants"("draft_of");

-- CreateIndex
CREATE UNIQUE INDEX "participants_published_name_key_key" ON "participants"("name_key") WHERE ("draft_of" IS NULL);

-- CreateIndex
CREATE UNIQUE INDEX "participants_published_wikidata_id_key" ON "participants"("wikidata_id") WHERE ("draft_of" IS NULL);

-- CreateIndex
CREATE INDEX "venues_draft_of_idx" ON "venues"("draft_of");

-- CreateIndex
CREATE UNIQUE INDEX "venues_published_name_city_country_key" ON "venues"("name", "city", "country") WHERE ("draft_of" IS NULL);

-- AddForeignKey
ALTER TABLE "venues" ADD CONSTRAINT "venues_draft_of_fkey" FOREIGN KEY ("draft_of") REFERENCES "engagements"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "participants" ADD CONSTRAINT "participants_draft_of_fkey" FOREIGN KEY ("draft_of") REFERENCES "engagements"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Every change already public gets its number in the public feed, in the order it became public.
UPDATE "changes" SET "public_sequence" = "numbered"."n"
FROM (SELECT "sequence", row_number() OVER (ORDER BY "visible_at", "sequence") AS "n" FROM "changes" WHERE "visible_at" <= now()) AS "numbered"
WHERE "changes"."sequence" = "numbered"."sequence";

-- People and venues named so far only by engagements still under embargo were created by hidden
-- writes before drafts existed: each becomes a draft of every such engagement (one per
-- engagement, as the service creates them now), to be published with it. What hidden writes said
-- about records that were already public cannot be told apart any more and stays as it is.
CREATE TEMP TABLE "hidden_person_links" AS
SELECT ep."engagement_id", ep."participant_id", gen_random_uuid() AS "draft_id"
FROM "engagement_participants" AS ep
WHERE NOT EXISTS (
  SELECT 1 FROM "engagement_participants" AS other JOIN "engagements" AS e ON e."id" = other."engagement_id"
  WHERE other."participant_id" = ep."participant_id" AND (e."embargo_until" IS NULL OR e."embargo_until" <= now()));

INSERT INTO "participants" ("id", "draft_of", "name", "name_key", "country", "wikidata_id", "alt_names", "name_translations", "created_at", "updated_at", "version")
SELECT h."draft_id", h."engagement_id", p."name", p."name_key", p."country", p."wikidata_id", p."alt_names", p."name_translations", p."created_at", p."updated_at", p."version"
FROM "hidden_person_links" AS h JOIN "participants" AS p ON p."id" = h."participant_id";

UPDATE "engagement_participants" AS ep SET "participant_id" = h."draft_id"
FROM "hidden_person_links" AS h WHERE ep."engagement_id" = h."engagement_id" AND ep."participant_id" = h."participant_id";

DELETE FROM "participants" WHERE "id" IN (SELECT "participant_id" FROM "hidden_person_links");

CREATE TEMP TABLE "hidden_venue_links" AS
SELECT e."id" AS "engagement_id", e."venue_id", gen_random_uuid() AS "draft_id"
FROM "engagements" AS e
WHERE e."venue_id" IS NOT NULL AND NOT EXISTS (
  SELECT 1 FROM "engagements" AS other
  WHERE other."venue_id" = e."venue_id" AND (other."embargo_until" IS NULL OR other."embargo_until" <= now()));

INSERT INTO "venues" ("id", "draft_of", "name", "name_translations", "city", "country", "address", "latitude", "longitude", "created_at", "updated_at")
SELECT h."draft_id", h."engagement_id", v."name", v."name_translations", v."city", v."country", v."address", v."latitude", v."longitude", v."created_at", v."updated_at"
FROM "hidden_venue_links" AS h JOIN "venues" AS v ON v."id" = h."venue_id";

UPDATE "engagements" AS e SET "venue_id" = h."draft_id" FROM "hidden_venue_links" AS h WHERE e."id" = h."engagement_id";

DELETE FROM "venues" WHERE "id" IN (SELECT "venue_id" FROM "hidden_venue_links");

-- Published with the engagement, under the author of its last write.
UPDATE "engagements" AS e SET "pending_author" = coalesce(
  (SELECT jsonb_build_object('actor', c."actor", 'reason', c."reason", 'source', c."source") FROM "changes" AS c
    WHERE c."entity" = 'engagement' AND c."entity_id" = e."id" ORDER BY c."sequence" DESC LIMIT 1),
  '{"actor": "migration", "reason": null, "source": null}'::jsonb)
WHERE e."id" IN (SELECT "engagement_id" FROM "hidden_person_links" UNION SELECT "engagement_id" FROM "hidden_venue_links");

DROP TABLE "hidden_person_links";
DROP TABLE "hidden_venue_links";

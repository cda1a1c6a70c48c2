-- CreateTable
CREATE TABLE "content_version" (
    "id" BOOLEAN NOT NULL DEFAULT true,
    "version" BIGINT NOT NULL DEFAULT 1,

    CONSTRAINT "content_version_pkey" PRIMARY KEY ("id")
);

-- Only ever one row.
ALTER TABLE "content_version" ADD CONSTRAINT "content_version_single_row" CHECK ("id");
INSERT INTO "content_version" ("id", "version") VALUES (true, 1);

-- (Each semicolon inside a function body is written \073: the migration engine cuts the script
-- into statements at every semicolon, even inside quotes and comments.)
-- Raises the content version once per transaction that changed a table a read shows. The
-- triggers are deferred, so the row is locked only while the transaction commits: a writer that
-- locked it at its first statement would hold it through every lock it takes later, and two
-- writers could deadlock on it. Bulk statements pay one cheap call per row, and one update.
CREATE FUNCTION "raise_content_version"() RETURNS trigger LANGUAGE plpgsql AS E'
BEGIN
  IF current_setting(''itinerary.content_version_raised'', true) IS DISTINCT FROM ''yes'' THEN
    UPDATE "content_version" SET "version" = "version" + 1\073
    PERFORM set_config(''itinerary.content_version_raised'', ''yes'', true)\073
  END IF\073
  RETURN NULL\073
END
';

CREATE CONSTRAINT TRIGGER "visits_raise_content_version" AFTER INSERT OR UPDATE OR DELETE ON "visits"
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION "raise_content_version"();
CREATE CONSTRAINT TRIGGER "legs_raise_content_version" AFTER INSERT OR UPDATE OR DELETE ON "legs"
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION "raise_content_version"();
CREATE CONSTRAINT TRIGGER "engagements_raise_content_version" AFTER INSERT OR UPDATE OR DELETE ON "engagements"
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION "raise_content_version"();
CREATE CONSTRAINT TRIGGER "venues_raise_content_version" AFTER INSERT OR UPDATE OR DELETE ON "venues"
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION "raise_content_version"();
CREATE CONSTRAINT TRIGGER "participants_raise_content_version" AFTER INSERT OR UPDATE OR DELETE ON "participants"
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION "raise_content_version"();
CREATE CONSTRAINT TRIGGER "engagement_participants_raise_content_version" AFTER INSERT OR UPDATE OR DELETE ON "engagement_participants"
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION "raise_content_version"();
CREATE CONSTRAINT TRIGGER "sources_raise_content_version" AFTER INSERT OR UPDATE OR DELETE ON "sources"
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION "raise_content_version"();

-- TRUNCATE fires no row trigger.
CREATE FUNCTION "raise_content_version_on_truncate"() RETURNS trigger LANGUAGE plpgsql AS E'
BEGIN
  UPDATE "content_version" SET "version" = "version" + 1\073
  RETURN NULL\073
END
';
CREATE TRIGGER "visits_truncate_raises_content_version" AFTER TRUNCATE ON "visits"
  FOR EACH STATEMENT EXECUTE FUNCTION "raise_content_version_on_truncate"();
CREATE TRIGGER "engagements_truncate_raises_content_version" AFTER TRUNCATE ON "engagements"
  FOR EACH STATEMENT EXECUTE FUNCTION "raise_content_version_on_truncate"();
CREATE TRIGGER "venues_truncate_raises_content_version" AFTER TRUNCATE ON "venues"
  FOR EACH STATEMENT EXECUTE FUNCTION "raise_content_version_on_truncate"();
CREATE TRIGGER "participants_truncate_raises_content_version" AFTER TRUNCATE ON "participants"
  FOR EACH STATEMENT EXECUTE FUNCTION "raise_content_version_on_truncate"();

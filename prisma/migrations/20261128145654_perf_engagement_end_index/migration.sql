-- CreateIndex
CREATE INDEX "engagements_ends_at_starts_at_idx" ON "engagements"("ends_at", "starts_at");

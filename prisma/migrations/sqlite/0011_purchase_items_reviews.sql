-- AlterTable
ALTER TABLE "tickets" ADD COLUMN "order_id" TEXT;

-- CreateTable
CREATE TABLE "purchase_items" (
    "purchase_id" TEXT NOT NULL,
    "position" INTEGER NOT NULL,
    "sku" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "quantity" INTEGER NOT NULL,
    "unit_price_minor" INTEGER NOT NULL,

    PRIMARY KEY ("purchase_id", "position"),
    CONSTRAINT "purchase_items_purchase_id_fkey" FOREIGN KEY ("purchase_id") REFERENCES "purchases" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "product_reviews" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "contact_id" TEXT NOT NULL,
    "purchase_id" TEXT NOT NULL,
    "sku" TEXT,
    "item_name" TEXT,
    "requested_at" DATETIME NOT NULL,
    "score" INTEGER,
    "comment" TEXT,
    "answered_at" DATETIME,
    "idempotency_key" TEXT NOT NULL,
    CONSTRAINT "product_reviews_contact_id_fkey" FOREIGN KEY ("contact_id") REFERENCES "contacts" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "product_reviews_purchase_id_fkey" FOREIGN KEY ("purchase_id") REFERENCES "purchases" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE INDEX "purchase_items_sku_idx" ON "purchase_items"("sku");

-- CreateIndex
CREATE UNIQUE INDEX "product_reviews_purchase_id_key" ON "product_reviews"("purchase_id");

-- CreateIndex
CREATE UNIQUE INDEX "product_reviews_idempotency_key_key" ON "product_reviews"("idempotency_key");

-- CreateIndex
CREATE INDEX "product_reviews_requested_at_idx" ON "product_reviews"("requested_at");

-- CreateIndex
CREATE INDEX "product_reviews_answered_at_idx" ON "product_reviews"("answered_at");

-- CreateIndex
CREATE INDEX "product_reviews_contact_id_idx" ON "product_reviews"("contact_id");


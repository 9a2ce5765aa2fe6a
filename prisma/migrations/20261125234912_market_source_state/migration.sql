-- CreateTable
CREATE TABLE "market_source_states" (
    "name" VARCHAR(64) NOT NULL,
    "state" JSONB NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "market_source_states_pkey" PRIMARY KEY ("name")
);


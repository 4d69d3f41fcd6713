-- Money. A budget is named after the batch it caps (`seedance batch
-- --budget`): its limit and what its jobs hold reserved, in micro-dollars.
-- A job's quote is stored when it is recorded; `reserved_micros` is what it
-- holds in the budget named by `budget` (reserved with `pending` ->
-- `submitting`, in the same transaction); `reported_micros` is the cost
-- the vendor reported, which settles the reservation.
CREATE TABLE budgets (
    name            TEXT PRIMARY KEY NOT NULL,
    limit_micros    BIGINT NOT NULL,
    reserved_micros BIGINT NOT NULL DEFAULT 0,
    updated_at      BIGINT NOT NULL
);
ALTER TABLE jobs ADD COLUMN quote_micros BIGINT;
ALTER TABLE jobs ADD COLUMN quote_note TEXT;
ALTER TABLE jobs ADD COLUMN budget TEXT;
ALTER TABLE jobs ADD COLUMN reserved_micros BIGINT NOT NULL DEFAULT 0;
ALTER TABLE jobs ADD COLUMN reported_micros BIGINT;

-- Items by normalised phone and address, so that an intake reads only the items that may be
-- repeat calls (重复报警) rather than every item its station received in the window.
CREATE TABLE repeat_keys (
    station      TEXT NOT NULL,
    key          TEXT NOT NULL,
    received_at  TIMESTAMPTZ NOT NULL,
    incident     TEXT NOT NULL,
    PRIMARY KEY (station, key, incident)
);
CREATE INDEX repeat_keys_by_time ON repeat_keys(station, key, received_at);
-- Items received before this moment may have no keys (the hub before this migration, or a
-- district moved in): a window reaching back past it reads the station's items instead.
CREATE TABLE repeat_keys_since (
    since  TIMESTAMPTZ NOT NULL
);
INSERT INTO repeat_keys_since (since) VALUES (now());

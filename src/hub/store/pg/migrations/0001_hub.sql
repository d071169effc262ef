-- The hub's schema on PostgreSQL, with the meaning of the SQLite hub's migrations 1-4:
-- principals, routing, the global event sequence, item projection, intake keys, the police
-- feed, the hub's identity and its hash chain.
CREATE TABLE stations (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    prefix      TEXT NOT NULL UNIQUE,
    token_hash  TEXT NOT NULL
);
CREATE TABLE connectors (
    id          TEXT PRIMARY KEY,
    role        TEXT NOT NULL,
    token_hash  TEXT NOT NULL
);
CREATE TABLE routes (
    kind     TEXT NOT NULL,
    key      TEXT NOT NULL,
    station  TEXT NOT NULL REFERENCES stations(id),
    PRIMARY KEY (kind, key)
);
-- seq is handed out by the writer under the hub's advisory lock, so commit order is seq order.
CREATE TABLE events (
    seq       BIGINT PRIMARY KEY,
    id        TEXT NOT NULL UNIQUE,
    incident  TEXT NOT NULL,
    station   TEXT NOT NULL,
    kind      TEXT NOT NULL,
    body      TEXT NOT NULL
);
CREATE INDEX events_by_station ON events(station, seq);
CREATE INDEX events_by_incident ON events(incident, seq);
CREATE TABLE incidents (
    id           TEXT PRIMARY KEY,
    station      TEXT NOT NULL,
    ref          TEXT NOT NULL,
    status       TEXT NOT NULL,
    body         TEXT NOT NULL,
    received_at  TIMESTAMPTZ NOT NULL,
    UNIQUE (station, ref)
);
CREATE INDEX incidents_by_received ON incidents(station, received_at);
CREATE TABLE ref_counters (
    prefix  TEXT NOT NULL,
    day     TEXT NOT NULL,
    last    BIGINT NOT NULL,
    PRIMARY KEY (prefix, day)
);
CREATE TABLE police_feed (
    seq       BIGINT PRIMARY KEY,
    incident  TEXT NOT NULL UNIQUE,
    acked_at  TEXT,
    acked_by  TEXT
);
CREATE TABLE intake_keys (
    connector   TEXT NOT NULL,
    source      TEXT NOT NULL,
    source_ref  TEXT NOT NULL,
    incident    TEXT NOT NULL,
    PRIMARY KEY (connector, source, source_ref)
);
CREATE TABLE hub_meta (
    key    TEXT PRIMARY KEY,
    value  TEXT NOT NULL
);
-- The chain is kept from the first event on.
INSERT INTO hub_meta (key, value) VALUES ('chain_since', '0');
CREATE TABLE chain (
    pos      BIGINT PRIMARY KEY,
    kind     TEXT NOT NULL,
    station  TEXT NOT NULL,
    seq      BIGINT,
    body     TEXT NOT NULL,
    hash     TEXT NOT NULL
);
CREATE UNIQUE INDEX chain_by_event ON chain(seq) WHERE seq IS NOT NULL;
CREATE INDEX chain_heads ON chain(station, pos) WHERE kind = 'head';

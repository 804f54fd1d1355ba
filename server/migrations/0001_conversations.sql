-- One record per conversation: GMS chatId = SuperOffice ChatSessionId = Omnichannel
-- msdyn_ocliveworkitemid. The lifecycle status is derived from the facts below and stored
-- so that lists can filter on it.
CREATE TABLE conversations (
    id                 TEXT PRIMARY KEY NOT NULL,
    service            TEXT NOT NULL,
    secure_key_hash    TEXT NOT NULL UNIQUE,
    user_id            TEXT NOT NULL,
    nickname           TEXT NOT NULL,
    first_name         TEXT,
    last_name          TEXT,
    email              TEXT,
    subject            TEXT,
    user_data          TEXT NOT NULL DEFAULT '{}',
    status             TEXT NOT NULL,
    customer_connected INTEGER NOT NULL DEFAULT 1,
    customer_left_at   INTEGER,
    ended_at           INTEGER,
    -- who spoke last: 'Client' or 'Agent' (SuperOffice CustomerLast / UserLast)
    last_speaker       TEXT,
    next_index         INTEGER NOT NULL DEFAULT 1,
    created_at         INTEGER NOT NULL,
    updated_at         INTEGER NOT NULL
);
CREATE INDEX conversations_status ON conversations (status, created_at);

-- Everyone who took part. participant_id is per conversation: the customer is 1.
CREATE TABLE participants (
    conversation_id TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    participant_id  INTEGER NOT NULL,
    party_type      TEXT NOT NULL,
    nickname        TEXT NOT NULL,
    agent_id        TEXT,
    joined_at       INTEGER NOT NULL,
    left_at         INTEGER,
    PRIMARY KEY (conversation_id, participant_id)
);
CREATE INDEX participants_agent ON participants (agent_id, left_at);

-- The transcript: one ordered list of events per conversation, 1-based index never reused.
CREATE TABLE transcript_events (
    conversation_id TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    idx             INTEGER NOT NULL,
    event_type      TEXT NOT NULL,
    participant_id  INTEGER NOT NULL,
    party_type      TEXT NOT NULL,
    nickname        TEXT NOT NULL,
    text            TEXT,
    message_type    TEXT,
    user_data       TEXT,
    utc_time        INTEGER NOT NULL,
    PRIMARY KEY (conversation_id, idx)
);

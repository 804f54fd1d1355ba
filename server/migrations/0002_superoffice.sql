-- The SuperOffice view of a conversation (issue 5).
--
-- ChatSessionId is an int32 in SuperOffice while the GMS chatId is text: every conversation
-- also gets a number, handed out from a counter so that it is never reused, even after a
-- conversation is deleted.
ALTER TABLE conversations ADD COLUMN number INTEGER;
UPDATE conversations SET number = (
    SELECT COUNT(*) FROM conversations older
    WHERE older.created_at < conversations.created_at
       OR (older.created_at = conversations.created_at AND older.id <= conversations.id)
);
CREATE UNIQUE INDEX conversations_number ON conversations (number);

CREATE TABLE counters (
    name  TEXT PRIMARY KEY NOT NULL,
    value INTEGER NOT NULL
);
INSERT INTO counters (name, value)
    SELECT 'conversation_number', COALESCE(MAX(number), 0) FROM conversations;

-- A pending transfer to another agent (account name), SuperOffice TransferTo.
ALTER TABLE conversations ADD COLUMN transfer_to TEXT;
-- Number of conversations waiting in the queue, plus one, when this one was requested.
ALTER TABLE conversations ADD COLUMN initial_queue_pos INTEGER NOT NULL DEFAULT 1;
-- Fields only the CRM view has (CustomerHost, CustomerPhone, CustomerCompanyName,
-- CustomerConsented, AlertLevel, ChatbotIsActive, Rating, Person, Contact, Project, Sale,
-- Ticket), as one JSON object keyed by the SuperOffice property name.
ALTER TABLE conversations ADD COLUMN crm_fields TEXT NOT NULL DEFAULT '{}';

-- Chat topics: each is a chat service customers can request chats on (GMS {serviceName}).
-- `service` is fixed at creation; `name` and the rest can change.
CREATE TABLE chat_topics (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    service     TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    -- The other ChatTopicEntity properties, as one JSON object keyed by property name.
    settings    TEXT NOT NULL DEFAULT '{}',
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);

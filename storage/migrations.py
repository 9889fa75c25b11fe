"""Versioned schema migrations, applied in order; PRAGMA user_version records the last one.

Never edit a released migration: add a new one at the end.
Times are whole UTC seconds since the epoch (INTEGER).
"""

MIGRATIONS: tuple[str, ...] = (
    # 1: the first schema
    """
    CREATE TABLE users (
        id               INTEGER PRIMARY KEY,
        channel          TEXT    NOT NULL,             -- 'telegram' | 'console'
        external_id      TEXT    NOT NULL,             -- Telegram user id, console profile
        chat_id          INTEGER,
        display_name     TEXT,
        ex_name          TEXT,
        tz               TEXT,
        checkin_hour     INTEGER,
        quiet_start      INTEGER NOT NULL DEFAULT 22,
        quiet_end        INTEGER NOT NULL DEFAULT 8,
        stage            TEXT    NOT NULL DEFAULT 'new',
        dialogue         TEXT    NOT NULL DEFAULT '{}', -- JSON: ver, resume, flags, scratch
        no_contact_start INTEGER,
        no_contact_days  INTEGER NOT NULL DEFAULT 30,
        paused           INTEGER NOT NULL DEFAULT 0,
        active           INTEGER NOT NULL DEFAULT 1,   -- 0 after Telegram says "blocked"
        created_at       INTEGER NOT NULL,
        updated_at       INTEGER NOT NULL,
        last_seen_at     INTEGER,
        UNIQUE (channel, external_id)
    );
    CREATE TABLE answers (
        user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        key        TEXT    NOT NULL,
        value      TEXT    NOT NULL,
        updated_at INTEGER NOT NULL,
        PRIMARY KEY (user_id, key)
    ) WITHOUT ROWID;
    CREATE TABLE list_items (
        id         INTEGER PRIMARY KEY,
        user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        list       TEXT    NOT NULL,  -- pros, cons, memories, qualities, commitments, ...
        text       TEXT    NOT NULL,
        created_at INTEGER NOT NULL
    );
    CREATE INDEX list_items_user ON list_items (user_id, list);
    CREATE TABLE journal (
        id         INTEGER PRIMARY KEY,
        user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        kind       TEXT    NOT NULL,  -- entry, note, urge (an unsent message)
        text       TEXT    NOT NULL,
        created_at INTEGER NOT NULL
    );
    CREATE INDEX journal_user ON journal (user_id);
    CREATE TABLE checkins (
        id         INTEGER PRIMARY KEY,
        user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        mood       INTEGER NOT NULL CHECK (mood BETWEEN 1 AND 5),
        urge       INTEGER NOT NULL CHECK (urge BETWEEN 0 AND 10),
        note       TEXT,
        created_at INTEGER NOT NULL
    );
    CREATE INDEX checkins_user ON checkins (user_id);
    CREATE TABLE slips (
        id         INTEGER PRIMARY KEY,
        user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        restarted  INTEGER NOT NULL,
        created_at INTEGER NOT NULL
    );
    CREATE INDEX slips_user ON slips (user_id);
    CREATE TABLE outcomes (
        id         INTEGER PRIMARY KEY,
        user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        kind       TEXT    NOT NULL,
        created_at INTEGER NOT NULL
    );
    CREATE INDEX outcomes_user ON outcomes (user_id);
    CREATE TABLE drafts (
        id         INTEGER PRIMARY KEY,
        user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        kind       TEXT    NOT NULL,
        text       TEXT    NOT NULL,
        verdict    TEXT,
        created_at INTEGER NOT NULL
    );
    CREATE INDEX drafts_user ON drafts (user_id);
    CREATE TABLE signs (
        id         INTEGER PRIMARY KEY,
        user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        score      INTEGER NOT NULL,
        selected   TEXT    NOT NULL,
        created_at INTEGER NOT NULL
    );
    CREATE INDEX signs_user ON signs (user_id);
    CREATE TABLE nudges (
        id         INTEGER PRIMARY KEY,
        user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        kind       TEXT    NOT NULL,
        due_at     INTEGER NOT NULL,
        payload    TEXT    NOT NULL DEFAULT '{}',
        status     TEXT    NOT NULL DEFAULT 'pending',  -- pending, sent, cancelled, skipped, failed
        attempts   INTEGER NOT NULL DEFAULT 0,
        sent_at    INTEGER,
        created_at INTEGER NOT NULL
    );
    CREATE INDEX nudges_pending ON nudges (due_at) WHERE status = 'pending';
    CREATE INDEX nudges_user ON nudges (user_id, status);
    CREATE TABLE processed_updates (
        update_id    INTEGER PRIMARY KEY,
        user_id      INTEGER REFERENCES users (id) ON DELETE CASCADE,
        processed_at INTEGER NOT NULL
    );
    CREATE INDEX processed_updates_user ON processed_updates (user_id);
    """,
    # 2: the nudge dispatcher (issue 4). ``replies`` holds the rendered messages while a
    # nudge is 'sending' (committed with the turn, cleared once sent), so a crash between
    # commit and send re-sends exactly those messages instead of losing or re-running them.
    # ``last_nudge_at`` enforces one proactive message per local day. Existing users who
    # finished onboarding get their one re-engagement nudge armed (the dispatcher moves it
    # along lazily from last_seen_at, so user turns never touch it).
    """
    ALTER TABLE nudges ADD COLUMN replies TEXT;
    ALTER TABLE users ADD COLUMN last_nudge_at INTEGER;
    CREATE INDEX nudges_sending ON nudges (id) WHERE status = 'sending';
    INSERT INTO nudges (user_id, kind, due_at, payload, created_at)
        SELECT id, 'reengage', coalesce(last_seen_at, created_at) + 604800, '{}',
               CAST(strftime('%s', 'now') AS INTEGER)
        FROM users WHERE tz IS NOT NULL;
    """,
    # 3: the replies of each Telegram update, kept with its id for two days. If the process
    # dies after a turn commits but before its replies reach Telegram, the update comes
    # again and these replies are sent again (at least once) instead of being lost.
    """
    ALTER TABLE processed_updates ADD COLUMN replies TEXT;
    CREATE INDEX processed_updates_time ON processed_updates (processed_at);
    """,
)

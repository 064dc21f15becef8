//! The scripts that change a kept message: edit, delete, react. What happened to a
//! message lives beside the history, in `changes` (seq → JSON: `text`, `edited`,
//! `deleted`, `reactions`, and `at`, the room's newest seq when it last changed), so the
//! history's entries are never rewritten, and a `welcome` reads both and gives each
//! message as it is now (and a resume those that changed since it last saw the room).
//! The history's trimming drops a message's changes with it (`sequence` in the prelude).

/// Helpers for the scripts below, after the shared prelude.
pub const CHANGES_PRELUDE: &str = r#"
-- The kept, not deleted, message `seq` (its history entry, decoded) and what happened to
-- it so far; nil if there is none.
local function kept(seq)
  local first = redis.call('LINDEX', HISTORY, 0)
  if not first then return nil end
  local index = seq - tonumber(cjson.decode(first).seq)
  if index < 0 then return nil end
  local entry = redis.call('LINDEX', HISTORY, index)
  if not entry then return nil end
  local message = cjson.decode(entry)
  if tonumber(message.seq) ~= seq then return nil end
  local held = redis.call('HGET', CHANGES, tostring(seq))
  local changes = {}
  if held then changes = cjson.decode(held) end
  if changes.deleted then return nil end
  return message, changes
end

-- Records `changes` for `seq`, stamped with the room's newest seq now (`at`): what tells
-- a resume that the message changed since the client last saw the room.
local function keep_changes(seq, changes)
  changes.at = tonumber(redis.call('GET', SEQ) or '0')
  redis.call('HSET', CHANGES, tostring(seq), cjson.encode(changes))
end
"#;

/// The author changes a kept message's text.
///
/// ARGV: channel, editor's name key, relay id, conn id, seq, new text, event body.
/// Returns `ok`, `not_member`, `no_such_message` or `not_author`.
pub const EDIT: &str = r#"
if not member_on(ARGV[2], ARGV[3], ARGV[4]) then return 'not_member' end
local seq = tonumber(ARGV[5])
local message, changes = kept(seq)
if not message then return 'no_such_message' end
if message.from_key ~= ARGV[2] then return 'not_author' end
changes.text, changes.edited = ARGV[6], true
keep_changes(seq, changes)
publish(ARGV[1], ARGV[7])
return 'ok'
"#;

/// The author, or the room's owner, takes back a kept message.
///
/// ARGV: channel, name key, relay id, conn id, seq, event body.
/// Returns `ok`, `not_member`, `no_such_message` or `not_author`.
pub const DELETE: &str = r#"
local member = member_on(ARGV[2], ARGV[3], ARGV[4])
if not member then return 'not_member' end
local seq = tonumber(ARGV[5])
local message = kept(seq)
if not message then return 'no_such_message' end
local o = owner()
local owns = o ~= nil and o.token == member.token
if message.from_key ~= ARGV[2] and not owns then return 'not_author' end
keep_changes(seq, {deleted = true})
publish(ARGV[1], ARGV[6])
return 'ok'
"#;

/// A member adds (`on` = "1") or takes back a reaction, within the limits: one emoji
/// once per member, at most `max_kinds` emoji on a message and `max_mine` of one member's.
///
/// ARGV: channel, name key, relay id, conn id, seq, emoji, on, event body, max_kinds,
/// max_mine. Returns `ok`, `not_member`, `no_such_message` or `too_many`.
pub const REACT: &str = r#"
if not member_on(ARGV[2], ARGV[3], ARGV[4]) then return 'not_member' end
local seq, emoji, on = tonumber(ARGV[5]), ARGV[6], ARGV[7] == '1'
local max_kinds, max_mine = tonumber(ARGV[9]), tonumber(ARGV[10])
local message, changes = kept(seq)
if not message then return 'no_such_message' end
local name = cjson.decode(redis.call('HGET', NAMES, ARGV[2]))
local reactions, at, mine = changes.reactions or {}, nil, 0
for i, reaction in ipairs(reactions) do
  if reaction.emoji == emoji then at = i end
  for _, who in ipairs(reaction.names) do
    if who == name then mine = mine + 1 end
  end
end
local function has(reaction)
  for j, who in ipairs(reaction.names) do
    if who == name then return j end
  end
  return nil
end
if on then
  if at and has(reactions[at]) then
    -- Already there: nothing changes.
  elseif mine >= max_mine or (not at and #reactions >= max_kinds) then
    return 'too_many'
  elseif at then
    table.insert(reactions[at].names, name)
  else
    table.insert(reactions, {emoji = emoji, names = {name}})
  end
elseif at then
  local j = has(reactions[at])
  if j then table.remove(reactions[at].names, j) end
  if #reactions[at].names == 0 then table.remove(reactions, at) end
end
if #reactions > 0 then changes.reactions = reactions else changes.reactions = nil end
keep_changes(seq, changes)
publish(ARGV[1], ARGV[8])
return 'ok'
"#;

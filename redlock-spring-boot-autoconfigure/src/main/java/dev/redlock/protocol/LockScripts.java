package dev.redlock.protocol;

/**
 * The Lua scripts of the lock commands, each an atomic compare-and-act step: what every driver
 * sends, by SHA ({@code EVALSHA}) and by source ({@code EVAL}) only when the node does not know
 * them yet ({@code NOSCRIPT}). What their replies mean is in {@link LockReplies}.
 */
public final class LockScripts {

	private LockScripts() {
	}

	/** Deletes KEYS[1] if it holds the token ARGV[1]: 1 if deleted, else 0. */
	public static final LuaScript RELEASE = new LuaScript(
			"if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end");

	/** Sets the TTL of KEYS[1] to ARGV[2] ms if it holds the token ARGV[1]: 1 if done, else 0. */
	public static final LuaScript EXTEND = new LuaScript(
			"if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end");

	/** Sets every key to the token ARGV[1] with the TTL ARGV[2] ms if none of them exists: 1 if set, else 0. */
	public static final LuaScript ACQUIRE_ALL = new LuaScript("for _, key in ipairs(KEYS) do "
			+ "if redis.call('exists', key) == 1 then return 0 end end "
			+ "for _, key in ipairs(KEYS) do redis.call('set', key, ARGV[1], 'PX', ARGV[2]) end return 1");

	/** Deletes each key that holds the token ARGV[1]: how many were deleted. */
	public static final LuaScript RELEASE_ALL = new LuaScript("local deleted = 0 for _, key in ipairs(KEYS) do "
			+ "if redis.call('get', key) == ARGV[1] then deleted = deleted + redis.call('del', key) end end "
			+ "return deleted");

	/** Sets the TTL of every key to ARGV[2] ms if all hold the token ARGV[1]: 1 if done, else 0 (none changed). */
	public static final LuaScript EXTEND_ALL = new LuaScript("for _, key in ipairs(KEYS) do "
			+ "if redis.call('get', key) ~= ARGV[1] then return 0 end end "
			+ "for _, key in ipairs(KEYS) do redis.call('pexpire', key, ARGV[2]) end return 1");

	/**
	 * Refuses with {@code -3} when the node's clock is later than ARGV[n] (microseconds), unless it
	 * is {@code '0'}: the clock jumped forward since the engine last looked.
	 */
	private static String clockCheck(int argument) {
		return "if ARGV[" + argument + "] ~= '0' then local t = redis.call('time') "
				+ "if tonumber(t[1]) * 1000000 + tonumber(t[2]) > tonumber(ARGV[" + argument + "]) then return -3 end end ";
	}

	/**
	 * {@link #ACQUIRE_ALL} of KEYS[2..] on an armed node: KEYS[1] is the arming marker
	 * ({@link LockReplies#NOT_ARMED} when it is missing); ARGV[3] the latest node time accepted
	 * ({@link LockReplies#CLOCK_AHEAD} past it, unless {@code '0'}).
	 */
	public static final LuaScript ACQUIRE_ARMED = new LuaScript("if redis.call('exists', KEYS[1]) == 0 then return -2 end "
			+ clockCheck(3) + "for i = 2, #KEYS do if redis.call('exists', KEYS[i]) == 1 then return 0 end end "
			+ "for i = 2, #KEYS do redis.call('set', KEYS[i], ARGV[1], 'PX', ARGV[2]) end return 1");

	/**
	 * {@link #ACQUIRE_FENCED} of KEYS[2] with the counter KEYS[3] on an armed node: KEYS[1] and
	 * ARGV[3] as for {@link #ACQUIRE_ARMED}.
	 */
	public static final LuaScript ACQUIRE_FENCED_ARMED = new LuaScript("if redis.call('exists', KEYS[1]) == 0 then return -2 end "
			+ clockCheck(3) + "if redis.call('set', KEYS[2], ARGV[1], 'NX', 'PX', ARGV[2]) then "
			+ "return tonumber(redis.call('get', KEYS[3]) or '0') else return -1 end");

	/** Sets KEYS[1] to the token ARGV[1] with the TTL ARGV[2] ms unless it exists: the counter at KEYS[2] (0 if none), or {@link LockReplies#REFUSED}. */
	public static final LuaScript ACQUIRE_FENCED = new LuaScript(
			"if redis.call('set', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then "
					+ "return tonumber(redis.call('get', KEYS[2]) or '0') else return -1 end");

	// PUBLISH comes first: a user who may not publish fails the script before it changed anything;
	// subscribers get the message only after the script has run, when the key is gone
	/** {@link #RELEASE}, publishing KEYS[1] on the channel ARGV[2] when it deletes it. */
	public static final LuaScript RELEASE_NOTIFY = new LuaScript("if redis.call('get', KEYS[1]) == ARGV[1] then "
			+ "redis.call('publish', ARGV[2], KEYS[1]) return redis.call('del', KEYS[1]) else return 0 end");

	/** {@link #RELEASE_ALL}, publishing each key it deletes on the channel ARGV[2]. */
	public static final LuaScript RELEASE_ALL_NOTIFY = new LuaScript("local owned = {} for _, key in ipairs(KEYS) do "
			+ "if redis.call('get', key) == ARGV[1] then owned[#owned + 1] = key end end "
			+ "for _, key in ipairs(owned) do redis.call('publish', ARGV[2], key) end "
			+ "for _, key in ipairs(owned) do redis.call('del', key) end return #owned");

	/** Raises each counter KEYS[i] to ARGV[i] where it is lower: 1. */
	public static final LuaScript RAISE_COUNTERS = new LuaScript("for i, key in ipairs(KEYS) do "
			+ "if (tonumber(redis.call('get', key) or '0') or 0) < tonumber(ARGV[i]) then "
			+ "redis.call('set', key, ARGV[i]) end end return 1");

	/** If KEYS[1] holds the token ARGV[1], raises the counter KEYS[2] to ARGV[2] where it is lower: 1, else 0. */
	public static final LuaScript RAISE_FENCE = new LuaScript("if redis.call('get', KEYS[1]) == ARGV[1] then "
			+ "if tonumber(redis.call('get', KEYS[2]) or '0') < tonumber(ARGV[2]) then "
			+ "redis.call('set', KEYS[2], ARGV[2]) end return 1 else return 0 end");

	/** KEYS[1] the ticket, KEYS[2] the marker; ARGV[1] the ticket's value, ARGV[2] the run id. */
	public static final LuaScript ARM = new LuaScript("if redis.call('get', KEYS[1]) == ARGV[1] then "
			+ "redis.call('set', KEYS[2], ARGV[2]) redis.call('del', KEYS[1]) return 1 else return 0 end");

	/** Each key gets its value; with ARGV[1] = 'nx', only keys that do not exist yet. */
	public static final LuaScript WRITE_ALL = new LuaScript("for i, key in ipairs(KEYS) do "
			+ "if ARGV[1] == 'nx' then redis.call('set', key, ARGV[i + 1], 'NX') "
			+ "else redis.call('set', key, ARGV[i + 1]) end end return 1");

}

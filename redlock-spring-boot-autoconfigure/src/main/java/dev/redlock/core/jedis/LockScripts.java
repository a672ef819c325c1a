package dev.redlock.core.jedis;

import java.util.List;

import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisNoScriptException;

/**
 * The Lua scripts of the lock commands, each an atomic compare-and-act step, and how they are
 * sent: by SHA ({@code EVALSHA}), and by source only when the node does not know them yet.
 */
final class LockScripts {

	private LockScripts() {
	}

	static final LuaScript RELEASE = new LuaScript(
			"if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end");

	static final LuaScript EXTEND = new LuaScript(
			"if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end");

	static final LuaScript ACQUIRE_ALL = new LuaScript("for _, key in ipairs(KEYS) do "
			+ "if redis.call('exists', key) == 1 then return 0 end end "
			+ "for _, key in ipairs(KEYS) do redis.call('set', key, ARGV[1], 'PX', ARGV[2]) end return 1");

	static final LuaScript RELEASE_ALL = new LuaScript("local deleted = 0 for _, key in ipairs(KEYS) do "
			+ "if redis.call('get', key) == ARGV[1] then deleted = deleted + redis.call('del', key) end end "
			+ "return deleted");

	static final LuaScript EXTEND_ALL = new LuaScript("for _, key in ipairs(KEYS) do "
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
	 * KEYS[1] is the arming marker: {@code -2} when it is missing; ARGV[3] the latest node time
	 * accepted ({@link #clockCheck}).
	 */
	static final LuaScript ACQUIRE_ARMED = new LuaScript("if redis.call('exists', KEYS[1]) == 0 then return -2 end "
			+ clockCheck(3) + "for i = 2, #KEYS do if redis.call('exists', KEYS[i]) == 1 then return 0 end end "
			+ "for i = 2, #KEYS do redis.call('set', KEYS[i], ARGV[1], 'PX', ARGV[2]) end return 1");

	static final LuaScript ACQUIRE_FENCED_ARMED = new LuaScript("if redis.call('exists', KEYS[1]) == 0 then return -2 end "
			+ clockCheck(3) + "if redis.call('set', KEYS[2], ARGV[1], 'NX', 'PX', ARGV[2]) then "
			+ "return tonumber(redis.call('get', KEYS[3]) or '0') else return -1 end");

	static final LuaScript ACQUIRE_FENCED = new LuaScript(
			"if redis.call('set', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then "
					+ "return tonumber(redis.call('get', KEYS[2]) or '0') else return -1 end");

	// PUBLISH comes first: a user who may not publish fails the script before it changed anything;
	// subscribers get the message only after the script has run, when the key is gone
	static final LuaScript RELEASE_NOTIFY = new LuaScript("if redis.call('get', KEYS[1]) == ARGV[1] then "
			+ "redis.call('publish', ARGV[2], KEYS[1]) return redis.call('del', KEYS[1]) else return 0 end");

	static final LuaScript RELEASE_ALL_NOTIFY = new LuaScript("local owned = {} for _, key in ipairs(KEYS) do "
			+ "if redis.call('get', key) == ARGV[1] then owned[#owned + 1] = key end end "
			+ "for _, key in ipairs(owned) do redis.call('publish', ARGV[2], key) end "
			+ "for _, key in ipairs(owned) do redis.call('del', key) end return #owned");

	static final LuaScript RAISE_COUNTERS = new LuaScript("for i, key in ipairs(KEYS) do "
			+ "if (tonumber(redis.call('get', key) or '0') or 0) < tonumber(ARGV[i]) then "
			+ "redis.call('set', key, ARGV[i]) end end return 1");

	static final LuaScript RAISE_FENCE = new LuaScript("if redis.call('get', KEYS[1]) == ARGV[1] then "
			+ "if tonumber(redis.call('get', KEYS[2]) or '0') < tonumber(ARGV[2]) then "
			+ "redis.call('set', KEYS[2], ARGV[2]) end return 1 else return 0 end");

	/** KEYS[1] the ticket, KEYS[2] the marker; ARGV[1] the ticket's value, ARGV[2] the run id. */
	static final LuaScript ARM = new LuaScript("if redis.call('get', KEYS[1]) == ARGV[1] then "
			+ "redis.call('set', KEYS[2], ARGV[2]) redis.call('del', KEYS[1]) return 1 else return 0 end");

	/** Each key gets its value; with ARGV[1] = 'nx', only keys that do not exist yet. */
	static final LuaScript WRITE_ALL = new LuaScript("for i, key in ipairs(KEYS) do "
			+ "if ARGV[1] == 'nx' then redis.call('set', key, ARGV[i + 1], 'NX') "
			+ "else redis.call('set', key, ARGV[i + 1]) end end return 1");

	/**
	 * Runs a script by SHA, and by source if the node does not know it (it restarted or flushed
	 * its scripts).
	 */
	static Object run(UnifiedJedis client, LuaScript script, List<String> keys, String... args) {
		List<String> argList = List.of(args);
		try {
			return client.evalsha(script.sha1(), keys, argList);
		}
		catch (JedisNoScriptException ex) {
			return client.eval(script.source(), keys, argList);
		}
	}

	static boolean isOne(Object reply) {
		return reply instanceof Long number && number == 1L;
	}

}

package dev.redlock.core.jedis;

import java.util.List;

import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisNoScriptException;

import dev.redlock.protocol.LuaScript;

/**
 * Runs a lock script over Jedis: by SHA, and by source if the node does not know it (it restarted
 * or flushed its scripts).
 */
final class ScriptCalls {

	private ScriptCalls() {
	}

	static Object run(UnifiedJedis client, LuaScript script, List<String> keys, String... args) {
		List<String> argList = List.of(args);
		try {
			return client.evalsha(script.sha1(), keys, argList);
		}
		catch (JedisNoScriptException ex) {
			return client.eval(script.source(), keys, argList);
		}
	}

}

package dev.redlock.core.jedis;

import java.util.List;
import java.util.function.Function;
import java.util.function.Predicate;

import redis.clients.jedis.exceptions.JedisDataException;

import dev.redlock.core.Exchange;
import dev.redlock.core.NodeExchange;
import dev.redlock.core.jedis.internal.SplitExchanges;
import dev.redlock.protocol.LockReplies;
import dev.redlock.protocol.LockScripts;
import dev.redlock.protocol.LuaScript;

/**
 * The lock commands a plain-TCP standalone member can send now and answer later: an acquisition
 * (armed or not) and the release of a held lock (announced or not).
 */
final class ExchangeCommands implements NodeExchange {

	private final SplitExchanges exchanges;

	private final JedisArming arming;

	private final ReleaseAnnouncer announcer;

	private final boolean acquisitions;

	ExchangeCommands(SplitExchanges exchanges, JedisArming arming, ReleaseAnnouncer announcer, boolean acquisitions) {
		this.exchanges = exchanges;
		this.arming = arming;
		this.announcer = announcer;
		this.acquisitions = acquisitions;
	}

	@Override
	public Exchange startTryAcquire(String key, String token, long ttlMillis) {
		if (!this.acquisitions) {
			// replica acknowledgements need WAIT on the same connection
			return null;
		}
		String ttl = Long.toString(ttlMillis);
		String marker = this.arming.marker();
		if (marker != null) {
			return start(LockScripts.ACQUIRE_ARMED, (reply) -> LockReplies.armed(reply) == 1L, null, "2", marker, key,
					token, ttl, this.arming.latestServerMicros());
		}
		return this.exchanges.start(null, null, (reply) -> reply != null, null, key, token, "NX", "PX", ttl);
	}

	@Override
	public Exchange startReleaseHeld(String key, String token, String channel) {
		if (channel == null || !this.announcer.announces()) {
			return start(LockScripts.RELEASE, LockReplies::isOne, null, "1", key, token);
		}
		return start(LockScripts.RELEASE_NOTIFY, LockReplies::isOne,
				(ex) -> this.announcer.releaseUnannounced(List.of(key), token, channel, ex), "1", key, token, channel);
	}

	private Exchange start(LuaScript script, Predicate<Object> check, Function<JedisDataException, Boolean> recover,
			String... arguments) {
		return this.exchanges.start(script.sha1(), script.source(), check, recover, arguments);
	}

}

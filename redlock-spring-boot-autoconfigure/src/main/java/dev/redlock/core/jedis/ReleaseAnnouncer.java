package dev.redlock.core.jedis;

import java.util.List;
import java.util.function.Consumer;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import redis.clients.jedis.Connection;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.JedisPubSub;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisDataException;

import dev.redlock.core.AnnouncingNode;
import dev.redlock.protocol.LockScripts;

/**
 * Releases announced on a Pub/Sub channel (a {@code PUBLISH} inside the release script), and a
 * listener for other clients' announcements, for a standalone or Sentinel member. A user that may
 * not publish gets silent releases from then on, and one warning.
 */
final class ReleaseAnnouncer implements AnnouncingNode {

	private static final Logger logger = LoggerFactory.getLogger(ReleaseAnnouncer.class);

	private final String name;

	private final UnifiedJedis client;

	private final JedisClientConfig config;

	private final Supplier<HostAndPort> currentMaster;

	private final Releaser silent;

	private volatile boolean publishDenied;

	/** A release that does not announce. */
	@FunctionalInterface
	interface Releaser {

		boolean release(List<String> keys, String token);

	}

	ReleaseAnnouncer(String name, UnifiedJedis client, JedisClientConfig config, Supplier<HostAndPort> currentMaster,
			Releaser silent) {
		this.name = name;
		this.client = client;
		this.config = config;
		this.currentMaster = currentMaster;
		this.silent = silent;
	}

	/**
	 * Whether releases are still announced (the user may publish).
	 */
	boolean announces() {
		return !this.publishDenied;
	}

	@Override
	public boolean releaseHeld(List<String> keys, String token, String channel) {
		if (channel == null || this.publishDenied) {
			return this.silent.release(keys, token);
		}
		Object reply;
		try {
			reply = ScriptCalls.run(this.client, (keys.size() == 1) ? LockScripts.RELEASE_NOTIFY
					: LockScripts.RELEASE_ALL_NOTIFY, keys, token, channel);
		}
		catch (JedisDataException ex) {
			return releaseUnannounced(keys, token, channel, ex);
		}
		catch (RuntimeException ex) {
			throw JedisFailures.classify(ex);
		}
		return reply instanceof Long deleted && deleted == keys.size();
	}

	/**
	 * After an announcing release script failed: if the user may not publish (the script failed
	 * before it deleted anything), releases without announcing from now on; else rethrows.
	 */
	boolean releaseUnannounced(List<String> keys, String token, String channel, JedisDataException ex) {
		if (!JedisFailures.isPermissionDenied(ex)) {
			throw JedisFailures.classify(ex);
		}
		this.publishDenied = true;
		logger.warn("Redis user of {} may not publish on '{}' ({}); releases are not announced, so other "
				+ "instances find a released lock at their next retry. Grant '&{}' and '+publish', or set "
				+ "redlock.release-notifications=false.", this.name, channel, ex.getMessage(), channel);
		return this.silent.release(keys, token);
	}

	@Override
	public Subscription listenForReleases(String channel, Consumer<String> listener) {
		Listener subscription = new Listener(channel, listener);
		subscription.thread = new Thread(subscription, "redlock-releases-" + this.name);
		subscription.thread.setDaemon(true);
		subscription.thread.start();
		return subscription;
	}

	/**
	 * Listens for released keys on a connection of its own (to the current master, for a
	 * Sentinel member), and connects again after a failure until closed.
	 */
	private final class Listener extends JedisPubSub implements Subscription, Runnable {

		private final String channel;

		private final Consumer<String> listener;

		private volatile boolean closed;

		private volatile Connection connection;

		private volatile boolean heard;

		private volatile Thread thread;

		Listener(String channel, Consumer<String> listener) {
			this.channel = channel;
			this.listener = listener;
		}

		@Override
		public void run() {
			long backoffMillis = 100;
			while (!this.closed) {
				try (Connection connection = new Connection(ReleaseAnnouncer.this.currentMaster.get(),
						ReleaseAnnouncer.this.config)) {
					this.connection = connection;
					if (this.closed) {
						return;
					}
					proceed(connection, this.channel);
				}
				catch (RuntimeException ex) {
					if (this.closed) {
						return;
					}
					logger.debug("Listening for lock releases on {} failed, retrying in {}ms: {}",
							ReleaseAnnouncer.this.name, backoffMillis, ex.toString());
				}
				finally {
					this.connection = null;
				}
				if (this.heard) {
					// it worked until the connection broke: reconnect soon
					this.heard = false;
					backoffMillis = 100;
				}
				try {
					Thread.sleep(backoffMillis);
				}
				catch (InterruptedException ex) {
					return;
				}
				backoffMillis = Math.min(backoffMillis * 2, 5_000);
			}
		}

		@Override
		public void onSubscribe(String channel, int subscribedChannels) {
			this.heard = true;
		}

		@Override
		public void onMessage(String channel, String message) {
			try {
				this.listener.accept(message);
			}
			catch (RuntimeException ex) {
				logger.warn("A lock release listener failed", ex);
			}
		}

		@Override
		public boolean isActive() {
			return this.connection != null && isSubscribed();
		}

		@Override
		public void close() {
			this.closed = true;
			Connection current = this.connection;
			if (current != null) {
				// unblocks the listening thread's read
				current.close();
			}
			Thread listening = this.thread;
			if (listening != null && listening != Thread.currentThread()) {
				// ends a pause between reconnections at once: listening stops and starts with waiters
				listening.interrupt();
			}
		}

	}

}

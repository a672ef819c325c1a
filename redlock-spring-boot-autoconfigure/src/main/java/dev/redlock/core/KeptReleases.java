package dev.redlock.core;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Released locks whose keys must stay until a hold-at-least longer than the TTL a node may be told:
 * each key is re-extended about every third of that TTL, the last step cut to end exactly at the
 * hold-at-least, each node's command after the lock's earlier ones there. Closing stops the steps;
 * the keys then expire with the TTL last told.
 */
final class KeptReleases {

	private static final Logger logger = LoggerFactory.getLogger(KeptReleases.class);

	private final Set<Kept> kept = ConcurrentHashMap.newKeySet();

	private final Members members;

	private final LockCommands commands;

	private final EngineThreads threads;

	private final RedlockSettings settings;

	private volatile boolean closed;

	KeptReleases(Members members, LockCommands commands, EngineThreads threads, RedlockSettings settings) {
		this.members = members;
		this.commands = commands;
		this.threads = threads;
		this.settings = settings;
	}

	/**
	 * Keeps a released lock's keys until {@code keepUntil}.
	 * @param chain the lock's commands so far, the shortening to {@code ttlMillis} last
	 * @param toldAt when that shortening was sent
	 * @param ttlMillis the TTL it told, and each step tells at most
	 * @param keepUntil the end of the hold-at-least
	 */
	void keep(List<String> keys, String token, LeaseChain chain, long toldAt, long ttlMillis, long keepUntil) {
		if (this.closed) {
			return;
		}
		Kept keeping = new Kept(keys, token, chain, toldAt, ttlMillis, keepUntil);
		this.kept.add(keeping);
		keeping.schedule(TimeUnit.MILLISECONDS.toNanos(ttlMillis) / 3);
	}

	/** How many released locks are being kept now. */
	int size() {
		return this.kept.size();
	}

	/** Stops every keeping; the keys expire with the TTL last told. */
	void close() {
		this.closed = true;
		for (Kept keeping : List.copyOf(this.kept)) {
			keeping.stop();
		}
	}

	private final class Kept implements Runnable {

		private final List<String> keys;

		private final String token;

		private final long stepNanos;

		private final long keepUntil;

		private LeaseChain chain;

		private long toldUntil;

		private long validUntil;

		private volatile ScheduledFuture<?> next;

		Kept(List<String> keys, String token, LeaseChain chain, long toldAt, long ttlMillis, long keepUntil) {
			this.keys = keys;
			this.token = token;
			this.chain = chain;
			this.stepNanos = TimeUnit.MILLISECONDS.toNanos(ttlMillis);
			this.keepUntil = keepUntil;
			this.toldUntil = toldAt + this.stepNanos;
			this.validUntil = LeaseMath.validUntil(toldAt, this.stepNanos, KeptReleases.this.settings);
		}

		void schedule(long delayNanos) {
			try {
				this.next = KeptReleases.this.threads.scheduleRenewal(this, delayNanos);
			}
			catch (RejectedExecutionException ex) {
				stop();
				return;
			}
			if (KeptReleases.this.closed) {
				stop();
			}
		}

		void stop() {
			KeptReleases.this.kept.remove(this);
			ScheduledFuture<?> scheduled = this.next;
			if (scheduled != null) {
				scheduled.cancel(false);
			}
		}

		@Override
		public void run() {
			if (KeptReleases.this.closed) {
				stop();
				return;
			}
			try {
				step();
			}
			catch (RuntimeException ex) {
				giveUp("a keeping step failed: " + ex);
			}
		}

		private void step() {
			long now = System.nanoTime();
			long lease = LeaseMath.keptLease(now, this.validUntil, this.toldUntil, this.keepUntil, this.stepNanos);
			if (lease < 0) {
				// the TTL told already ends at the hold-at-least
				stop();
				return;
			}
			if (lease == 0) {
				giveUp("its last TTL ended before it could be extended");
				return;
			}
			long leaseMillis = TimeUnit.NANOSECONDS.toMillis(lease);
			long start = System.nanoTime();
			LeaseOps.Extension result = KeptReleases.this.commands.extend(this.keys, this.token, leaseMillis,
					Math.min(this.validUntil - start, KeptReleases.this.settings.nodeTimeout().toNanos()), this.chain);
			this.chain = this.chain.then(result.round());
			long candidate = LeaseMath.validUntil(start, TimeUnit.MILLISECONDS.toNanos(leaseMillis),
					KeptReleases.this.settings);
			Members members = KeptReleases.this.members;
			LeaseMath.Extended extended = LeaseMath.judge(result.extended(), result.refused(), members.quorum,
					members.size(), System.nanoTime(), this.validUntil, candidate);
			if (extended == LeaseMath.Extended.YES) {
				this.validUntil = candidate;
				this.toldUntil = start + TimeUnit.MILLISECONDS.toNanos(leaseMillis);
				schedule(lease / 3);
			}
			else if (extended == LeaseMath.Extended.REFUSED) {
				giveUp("a majority of nodes no longer holds its key");
			}
			else {
				this.validUntil = LeaseMath.afterFailedExtension(this.validUntil, candidate);
				long delay = LeaseMath.retryDelay(System.nanoTime(), this.validUntil,
						KeptReleases.this.settings.nodeTimeout().toNanos());
				if (delay < 0) {
					giveUp("no quorum of nodes extended its key before its last TTL ended");
				}
				else {
					schedule(delay);
				}
			}
		}

		private void giveUp(String why) {
			stop();
			logger.warn("Lock '{}' could not be kept until the end of its hold-at-least: {}; another holder may "
					+ "take it before then", String.join(",", this.keys), why);
		}

	}

}

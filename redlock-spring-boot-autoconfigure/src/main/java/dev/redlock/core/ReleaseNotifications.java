package dev.redlock.core;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.locks.ReentrantLock;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Releases of held locks announced by other processes ({@link AnnouncingNode}), heard only while
 * this engine has a thread waiting to retry: the first such thread starts listening on every node
 * that can announce (one connection each), and listening stops once no thread has waited for
 * {@link #IDLE_SPELL}, so that an engine that is not waiting does not hear its own releases. Each
 * key heard wakes this engine's waiters of that key ({@link LocalWaiters}).
 *
 * <p>What a waiter is promised: listening is requested before the thread's first wait begins, and a
 * release announced once a node has confirmed the subscription wakes it at once. A release announced
 * before that (between the thread's failed attempt and the node's confirmation: a new connection,
 * a few round trips, when listening was not already running) is found by the next attempt, after at most the retry
 * delay. A subscription whose connection drops is renewed by the node until listening stops.
 */
final class ReleaseNotifications {

	private static final Logger logger = LoggerFactory.getLogger(ReleaseNotifications.class);

	/**
	 * How long listening outlasts the last waiting thread: long enough that a service that waits
	 * often keeps its connections, short enough that one that rarely waits does not hear its own
	 * releases for long.
	 */
	static final Duration IDLE_SPELL = Duration.ofSeconds(5);

	/**
	 * Runs a task after a delay; may reject it once the engine is closing. The future is done once
	 * the task ran or could not be run.
	 */
	@FunctionalInterface
	interface Timer {

		Future<?> schedule(Runnable task, long delayNanos);

	}

	private final Members members;

	private final String channel;

	private final LocalWaiters waiters;

	private final Timer timer;

	private final long idleNanos;

	private final Ticker ticker;

	private final ReentrantLock lock = new ReentrantLock();

	/** The running subscriptions, replaced (never changed) under {@link #lock}; empty while not listening. */
	private volatile List<AnnouncingNode.Subscription> subscriptions = List.of();

	private int waiting;

	private long idleSince;

	/** The idle check scheduled, or {@code null}; one that is done without having run is lost. */
	private Future<?> stop;

	private boolean closed;

	/**
	 * @param channel the release channel, or {@code null} if releases are not announced
	 * @param timer runs the check that stops listening after an idle spell
	 * @param idleSpell how long listening outlasts the last waiting thread
	 * @param ticker the clock the idle spell is measured on
	 */
	ReleaseNotifications(Members members, String channel, LocalWaiters waiters, Timer timer, Duration idleSpell,
			Ticker ticker) {
		this.members = members;
		this.channel = channel;
		this.waiters = waiters;
		this.timer = timer;
		this.idleNanos = idleSpell.toNanos();
		this.ticker = ticker;
	}

	/** Where releases are announced, or {@code null}. */
	String channel() {
		return this.channel;
	}

	/**
	 * A thread's need to hear releases while it waits to retry, to {@link Wait#close() close} when
	 * its acquisition ends. Used by that thread alone.
	 */
	Wait waiter() {
		return new Wait();
	}

	/** How many nodes releases are heard from now: 0 while no thread has waited for an idle spell. */
	int listeners() {
		return (int) this.subscriptions.stream().filter(AnnouncingNode.Subscription::isActive).count();
	}

	/** Stops listening for good. */
	void close() {
		this.lock.lock();
		try {
			this.closed = true;
			stopListening();
		}
		finally {
			this.lock.unlock();
		}
	}

	private void arrive() {
		this.lock.lock();
		try {
			this.waiting++;
			if (this.subscriptions.isEmpty() && !this.closed) {
				List<AnnouncingNode.Subscription> started = new ArrayList<>();
				for (int i = 0; i < this.members.size(); i++) {
					AnnouncingNode node = this.members.announcing(i);
					try {
						if (node != null) {
							started.add(node.listenForReleases(this.channel, (key) -> this.waiters.released(List.of(key))));
						}
					}
					catch (RuntimeException ex) {
						// its waiters find releases at the next retry, as on a node that does not announce
						logger.warn("Could not listen for releases on {}; waiters retry after the retry delay",
								this.members.nodes.get(i).name(), ex);
					}
				}
				this.subscriptions = List.copyOf(started);
			}
		}
		finally {
			this.lock.unlock();
		}
	}

	private void leave() {
		this.lock.lock();
		try {
			if (--this.waiting == 0) {
				this.idleSince = this.ticker.nanoTime();
				if (this.stop == null || this.stop.isDone()) {
					scheduleStop(this.idleNanos);
				}
			}
		}
		finally {
			this.lock.unlock();
		}
	}

	/** Stops listening if no thread has waited for an idle spell, else looks again when it would be. */
	private void stopIfIdle() {
		this.lock.lock();
		try {
			this.stop = null;
			if (this.waiting > 0) {
				// the thread that leaves last schedules the next look
				return;
			}
			long left = this.idleSince + this.idleNanos - this.ticker.nanoTime();
			if (left > 0) {
				scheduleStop(left);
			}
			else {
				stopListening();
			}
		}
		finally {
			this.lock.unlock();
		}
	}

	private void scheduleStop(long delayNanos) {
		if (this.subscriptions.isEmpty()) {
			return;
		}
		try {
			this.stop = this.timer.schedule(this::stopIfIdle, delayNanos);
		}
		catch (RejectedExecutionException ex) {
			// the engine is closing: nobody will wait again
			stopListening();
		}
	}

	private void stopListening() {
		List<AnnouncingNode.Subscription> running = this.subscriptions;
		this.subscriptions = List.of();
		for (AnnouncingNode.Subscription subscription : running) {
			try {
				subscription.close();
			}
			catch (RuntimeException ex) {
				logger.warn("Could not stop listening for releases on a node", ex);
			}
		}
	}

	/** One acquiring thread's share in listening: counted from its first wait until closed. */
	final class Wait implements AutoCloseable {

		private boolean counted;

		private Wait() {
		}

		/** Before each wait to retry: listening runs from the first one on. */
		void begin() {
			if (!this.counted && ReleaseNotifications.this.channel != null) {
				this.counted = true;
				arrive();
			}
		}

		/** The acquisition ended: listening may stop after an idle spell. */
		@Override
		public void close() {
			if (this.counted) {
				this.counted = false;
				leave();
			}
		}

	}

}

package dev.redlock.core;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.redlock.LockHandle;
import dev.redlock.LockNotAcquiredException;
import dev.redlock.LockRequest;

/**
 * The parts of a working engine, built once and wired one way: health and arming, the fan-out,
 * the lock commands, the held locks, the local waiters and release notifications, and the
 * acquisition that uses them.
 */
final class Engine {

	private static final Logger logger = LoggerFactory.getLogger(Engine.class);

	final Members members;

	final NodeHealth health;

	final HeldLocks held;

	private final EngineThreads threads;

	private final LockObserver observer;

	private final LocalWaiters waiters = new LocalWaiters();

	private final ReleaseNotifications notifications;

	private final Acquisition acquisition;

	private final OpenCalls calls = new OpenCalls();

	private final long closingWaitNanos;

	private final long holdersWaitNanos;

	Engine(Members members, KeySpace keys, RedlockSettings settings, ExecutorService executor,
			List<LockObserver> observers, Duration holdOut, Duration checkInterval, boolean releaseNotifications,
			boolean allowEvictingNodes) {
		this.members = members;
		this.threads = new EngineThreads(executor);
		this.observer = CompositeLockObserver.of(observers);
		long nodeTimeout = settings.nodeTimeout().toNanos();
		NodePreconditions preconditions = new NodePreconditions(members.nodes, allowEvictingNodes,
				settings.driftFactor(), holdOut, this.observer);
		this.health = new NodeHealth(members, keys, this.threads.io(), nodeTimeout, this.observer, holdOut,
				checkInterval, preconditions);
		FanOut fanOut = new FanOut(members.nodes, this.threads.io(), nodeTimeout, this.health, Ticker.SYSTEM);
		LockCommands commands = new LockCommands(members, fanOut, nodeTimeout);
		this.notifications = new ReleaseNotifications(members, releaseNotifications ? keys.releaseChannel() : null,
				this.waiters, this.threads::scheduleRenewal, ReleaseNotifications.IDLE_SPELL, Ticker.SYSTEM);
		this.held = new HeldLocks(members, commands, this.threads, this.observer, this.waiters, settings, holdOut,
				this.notifications.channel());
		this.acquisition = new Acquisition(members, commands, this.held, this.health, this.notifications, this.waiters,
				settings, this.calls);
		this.closingWaitNanos = OpenCalls.closingWaitNanos(settings);
		this.holdersWaitNanos = OpenCalls.holdersWaitNanos(settings);
		if (holdOut != null) {
			this.health.probe();
			this.threads.monitor(this.health::probeQuietly, checkInterval);
		}
	}

	/**
	 * Acquires, as observed; a handle granted while the observer failed, or while the engine began
	 * closing, is released.
	 * @throws IllegalStateException if the engine is closing or closed
	 */
	LockHandle acquire(LockRequest request, List<String> fullKeys) {
		this.held.checkLease(request.leaseTime());
		this.calls.enter();
		LockHandle[] acquired = new LockHandle[1];
		try {
			LockHandle handle = this.observer.acquisition(request, () -> {
				acquired[0] = this.acquisition.acquire(request, fullKeys);
				return acquired[0];
			});
			if (this.calls.closing()) {
				throw new LockNotAcquiredException(String.join(",", fullKeys), this.members.quorum, 1,
						"granted while the engine began closing, and released", List.of(), null);
			}
			return handle;
		}
		catch (RuntimeException | Error ex) {
			if (acquired[0] != null) {
				acquired[0].close();
			}
			throw ex;
		}
		finally {
			this.calls.exit();
		}
	}

	int releaseListeners() {
		return this.notifications.listeners();
	}

	int waitingKeys() {
		return this.waiters.size();
	}

	/**
	 * Takes no new acquisition and waits (bounded) for those in flight, gives the holders of locks a
	 * moment (a retry pause and two node timeouts, at most a second) to release them, releases every lock still held,
	 * then closes the nodes and the engine's own threads: no lock is granted that closing does not
	 * release, so a graceful stop hands every lock over at once.
	 */
	void close() {
		int inFlight = this.calls.close(this.closingWaitNanos);
		if (inFlight > 0) {
			logger.warn("Closing the Redlock engine while {} acquisitions are still in flight; a lock one of them is "
					+ "granted now expires with its lease", inFlight);
		}
		// a holder told of the stop (an interrupted leader thread) releases its lock itself, and
		// stops leading before another instance is granted it; work that goes on loses it here
		this.held.awaitReleased(this.holdersWaitNanos);
		this.held.closeAll();
		this.health.close();
		this.threads.stopSchedulers();
		this.notifications.close();
		for (LockNode node : this.members.nodes) {
			try {
				node.close();
			}
			catch (RuntimeException ex) {
				logger.warn("Could not close node {}", node.name(), ex);
			}
		}
		this.threads.shutdownIo();
	}

}

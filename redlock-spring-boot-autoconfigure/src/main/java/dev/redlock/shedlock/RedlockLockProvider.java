package dev.redlock.shedlock;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

import net.javacrumbs.shedlock.core.ExtensibleLockProvider;
import net.javacrumbs.shedlock.core.LockConfiguration;
import net.javacrumbs.shedlock.core.SimpleLock;

import dev.redlock.LockHandle;
import dev.redlock.LockNotAcquiredException;
import dev.redlock.LockRequest;
import dev.redlock.NodeOutcome.Status;
import dev.redlock.core.Redlock;
import dev.redlock.core.RedlockSettings;

/**
 * A ShedLock {@link ExtensibleLockProvider} that takes its locks with Redlock on a quorum of
 * independent Redis masters, so a {@code @SchedulerLock} job keeps running once per tick while a
 * minority of the nodes is down (ShedLock's own Redis providers use one Redis server).
 *
 * <ul>
 * <li>The lock of ShedLock name {@code n} is the Redis key {@code <redlock.key-prefix>shedlock:n}
 * (the prefix passed to the constructor replaces {@code shedlock:}); {@code n} also names the
 * lock in metrics, so use job names, not ids.</li>
 * <li>{@code lockAtMostFor} is the lease (ShedLock's model): the lock expires then, whether the job
 * still runs or not. Any length works: no node is told a TTL longer than the restart guard's
 * hold-out, and the engine keeps a longer lease alive up to {@code lockAtMostFor} (so the lock of
 * an instance that died frees after that TTL, not after {@code lockAtMostFor}).</li>
 * <li>{@code lockAtLeastFor} is kept after {@link SimpleLock#unlock()}: the key stays on the nodes
 * until that time (kept alive the same way when longer than the hold-out), so no instance runs the
 * job again before it.</li>
 * <li>{@link SimpleLock#extend(Duration, Duration)} sets a new lease of {@code lockAtMostFor} from
 * now on a quorum and returns a new lock; the old one can no longer be used. A lock whose
 * validity has run out cannot be extended.</li>
 * <li>Taking a lock does not wait for a holder: if another instance holds it on a majority,
 * {@link #lock} returns empty at once. Only when an attempt failed with nobody holding a majority
 * (instances that tried at the same moment split the votes, or nodes did not answer) does it
 * try again for about three retry delays ({@code redlock.retry-delay} + {@code redlock.retry-jitter}),
 * so that one of the instances wins the tick.</li>
 * </ul>
 */
public class RedlockLockProvider implements ExtensibleLockProvider {

	/** The default key prefix of ShedLock locks, below the engine's own prefix. */
	public static final String DEFAULT_KEY_PREFIX = "shedlock:";

	private final Redlock redlock;

	private final String keyPrefix;

	/**
	 * Creates a provider whose locks are named {@code shedlock:<name>}.
	 * @param redlock the engine
	 */
	public RedlockLockProvider(Redlock redlock) {
		this(redlock, DEFAULT_KEY_PREFIX);
	}

	/**
	 * Creates a provider whose locks are named {@code <keyPrefix><name>}.
	 * @param redlock the engine
	 * @param keyPrefix put before each ShedLock name (the engine adds its own prefix in front); may be
	 * empty
	 */
	public RedlockLockProvider(Redlock redlock, String keyPrefix) {
		this.redlock = Objects.requireNonNull(redlock, "redlock");
		this.keyPrefix = Objects.requireNonNull(keyPrefix, "keyPrefix");
	}

	/**
	 * Takes the lock in one attempt, without waiting.
	 * @param configuration the lock's name, {@code lockAtMostFor} (the lease) and
	 * {@code lockAtLeastFor}
	 * @return the held lock, or empty if another holder has it or no quorum of nodes could be
	 * reached
	 * @throws IllegalArgumentException if the engine cannot keep such a lease (below 1 ms), naming the
	 * lock
	 */
	@Override
	public Optional<SimpleLock> lock(LockConfiguration configuration) {
		Objects.requireNonNull(configuration, "configuration");
		String name = configuration.getName();
		LockRequest request;
		try {
			// lockAtLeastFor is applied by the lock's unlock, as the latest extension may have changed it
			request = new LockRequest(name, List.of(this.keyPrefix + name), configuration.getLockAtMostFor(),
					Duration.ZERO, false, null, Duration.ZERO, false);
			long start = System.nanoTime();
			return acquire(request)
				.map((handle) -> new RedlockSimpleLock(name, handle, start, configuration.getLockAtLeastFor()));
		}
		catch (IllegalArgumentException ex) {
			throw new IllegalArgumentException("ShedLock lock '" + name + "' (lockAtMostFor "
					+ configuration.getLockAtMostFor() + "): " + ex.getMessage(), ex);
		}
	}

	/**
	 * One attempt; if it failed without another holder having a majority (instances that tried at
	 * the same moment split the votes, or nodes did not answer), a few more attempts for about
	 * three retry delays, so that one of the contenders wins the tick.
	 */
	private Optional<LockHandle> acquire(LockRequest request) {
		try {
			return Optional.of(this.redlock.acquire(request));
		}
		catch (LockNotAcquiredException ex) {
			if (Thread.currentThread().isInterrupted() || heldByAnother(ex)) {
				return Optional.empty();
			}
			RedlockSettings settings = this.redlock.settings();
			Duration contest = settings.retryDelay().plus(settings.retryJitter()).multipliedBy(3);
			return this.redlock.tryAcquire(new LockRequest(request.name(), request.keys(), request.leaseTime(),
					contest, false, null, Duration.ZERO, false));
		}
	}

	private static boolean heldByAnother(LockNotAcquiredException ex) {
		long held = ex.getNodeOutcomes().stream().filter((outcome) -> outcome.status() == Status.HELD_BY_OTHER).count();
		return held >= ex.getQuorum();
	}

	@Override
	public String toString() {
		return "RedlockLockProvider[keyPrefix=" + this.keyPrefix + ", " + this.redlock.nodes().size() + " nodes]";
	}

}

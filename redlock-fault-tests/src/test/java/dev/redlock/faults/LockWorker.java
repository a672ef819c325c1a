package dev.redlock.faults;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

import dev.redlock.LockHandle;
import dev.redlock.LockNotAcquiredException;
import dev.redlock.LockRequest;
import dev.redlock.LockTemplate;
import dev.redlock.NodeOutcome;
import dev.redlock.test.LockHold;

/**
 * One thread of a client: takes locks of a random kind on random keys through the starter's
 * {@link LockTemplate}, works under them, writes to the {@link FencedResource} under fenced ones,
 * and records everything in the client's history. The kinds cover every path of the engine:
 * plain single-key locks (the locking thread reads the answers itself), fenced ones, renewed long
 * holds (past the lease, so that renewal runs), explicit {@code extend}, several keys at once, and
 * hold-at-least. A fenced holder writes without asking {@code isValid()} first: the resource, not
 * the holder, must stop a stale write.
 */
final class LockWorker implements Runnable {

	enum Kind {

		PLAIN, FENCED, RENEWED, EXTEND, MULTI, HOLD_AT_LEAST

	}

	private static final long STEP_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

	private static final long DEADLINE_MOVED_NANOS = TimeUnit.MILLISECONDS.toNanos(2);

	private final String client;

	private final LockTemplate template;

	private final ClientConfig config;

	private final HistoryWriter history;

	private final FencedResource.Client resource;

	private final Random random;

	private final AtomicLong sequence;

	private final AtomicLong grants;

	private final AtomicInteger fencedHolds;

	private final Map<String, String> holdsByOwnerAndKey;

	private final BooleanSupplier working;

	LockWorker(ClientConfig config, LockTemplate template, HistoryWriter history, Random random, AtomicLong sequence,
			AtomicLong grants, AtomicInteger fencedHolds, Map<String, String> holdsByOwnerAndKey, BooleanSupplier working) {
		this.fencedHolds = fencedHolds;
		this.client = config.name();
		this.config = config;
		this.template = template;
		this.history = history;
		this.resource = new FencedResource.Client(config.resourceHost(), config.resourcePort());
		this.random = random;
		this.sequence = sequence;
		this.grants = grants;
		this.holdsByOwnerAndKey = holdsByOwnerAndKey;
		this.working = working;
	}

	@Override
	public void run() {
		try {
			while (this.working.getAsBoolean()) {
				lockOnce();
				pause(TimeUnit.MILLISECONDS.toNanos(this.random.nextInt(6)));
			}
		}
		finally {
			this.resource.close();
		}
	}

	private void lockOnce() {
		Kind kind = chooseKind();
		String hold = this.client + "-" + this.sequence.incrementAndGet();
		long lease = this.config.lease().toNanos();
		boolean fenced = switch (kind) {
			case FENCED -> true;
			case PLAIN, MULTI -> false;
			default -> this.random.nextBoolean();
		};
		List<String> keys = chooseKeys((kind == Kind.MULTI) ? 2 + this.random.nextInt(2) : 1);
		long holdAtLeast = (kind == Kind.HOLD_AT_LEAST) ? TimeUnit.MILLISECONDS.toNanos(50 + this.random.nextInt(251))
				: 0;
		LockRequest request = ((keys.size() == 1) ? LockRequest.of(keys.get(0), this.config.lease(), this.config.waitTime())
				: LockRequest.of(keys, this.config.lease(), this.config.waitTime()))
			.withAutoRenew(kind == Kind.RENEWED)
			.withFencing(fenced)
			.withHoldAtLeast(Duration.ofNanos(holdAtLeast))
			.withName("fault-" + kind.name().toLowerCase(Locale.ROOT));
		long work = switch (kind) {
			case PLAIN, MULTI, HOLD_AT_LEAST -> millis(0, 15);
			case FENCED -> millis(0, 30);
			case RENEWED -> lease + (long) (lease * 1.5 * this.random.nextDouble());
			case EXTEND -> lease / 3 + (long) (lease * 0.3 * this.random.nextDouble());
		};
		this.history.request(System.nanoTime(), hold, kind.name(), fenced, holdAtLeast,
				request.keys().stream().map(this.template.redlock()::fullKey).toList());
		try {
			this.template.execute(request, (handle) -> {
				held(hold, kind, handle, work);
				return null;
			});
		}
		catch (LockNotAcquiredException ex) {
			boolean contended = ex.getNodeOutcomes().stream()
				.anyMatch((outcome) -> outcome.status() == NodeOutcome.Status.HELD_BY_OTHER);
			this.history.fail(System.nanoTime(), hold, contended, ex.getMessage());
		}
		catch (RuntimeException ex) {
			this.history.error(System.nanoTime(), hold, ex);
		}
	}

	private void held(String hold, Kind kind, LockHandle handle, long work) {
		long start = System.nanoTime();
		long deadline = deadline(handle, start);
		long token = handle.fencingToken().orElse(-1);
		this.history.grant(start, hold, token, deadline);
		this.grants.incrementAndGet();
		List<String> keys = List.of(handle.key().split(","));
		String owner = Thread.currentThread().getName();
		keys.forEach((key) -> this.holdsByOwnerAndKey.put(owner + "|" + key, hold));
		if (token >= 0) {
			this.fencedHolds.incrementAndGet();
		}
		try {
			if (token >= 0) {
				write(hold, handle.key(), token);
			}
			deadline = workFor(hold, handle, token, work, deadline);
			if (kind == Kind.EXTEND) {
				boolean extended = handle.extend(this.config.lease());
				long after = System.nanoTime();
				deadline = deadline(handle, after);
				this.history.extend(after, hold, extended, deadline);
				deadline = workFor(hold, handle, token, work, deadline);
			}
			if (token >= 0) {
				write(hold, handle.key(), token);
			}
			this.history.end(System.nanoTime(), hold);
		}
		finally {
			keys.forEach((key) -> this.holdsByOwnerAndKey.remove(owner + "|" + key, hold));
			if (token >= 0) {
				this.fencedHolds.decrementAndGet();
			}
		}
	}

	/**
	 * Works under the lock for a while, in short steps; after each, records a deadline that
	 * renewal moved, and a fenced holder writes now and then.
	 * @return the deadline last recorded
	 */
	private long workFor(String hold, LockHandle handle, long token, long nanos, long deadline) {
		long until = System.nanoTime() + nanos;
		long nextWrite = System.nanoTime() + millis(50, 250);
		long recorded = deadline;
		for (long left = until - System.nanoTime(); left > 0; left = until - System.nanoTime()) {
			pause(Math.min(left, STEP_NANOS));
			long at = System.nanoTime();
			long moved = deadline(handle, at);
			if (moved - recorded > DEADLINE_MOVED_NANOS && moved - at > 0) {
				recorded = moved;
				this.history.valid(at, hold, moved);
			}
			if (token >= 0 && System.nanoTime() - nextWrite >= 0) {
				write(hold, handle.key(), token);
				nextWrite = System.nanoTime() + millis(50, 250);
			}
		}
		return recorded;
	}

	private static long deadline(LockHandle handle, long at) {
		return LockHold.deadline(at, () -> handle.remaining().toNanos());
	}

	private void write(String hold, String key, long token) {
		long at = System.nanoTime();
		boolean accepted = this.resource.write(key, token, hold, at);
		this.history.write(at, hold, key, token, accepted);
	}

	private Kind chooseKind() {
		int roll = this.random.nextInt(100);
		if (roll < 30) {
			return Kind.PLAIN;
		}
		if (roll < 52) {
			return Kind.FENCED;
		}
		if (roll < 57) {
			return Kind.RENEWED;
		}
		if (roll < 67) {
			return Kind.EXTEND;
		}
		if (roll < 82) {
			return Kind.MULTI;
		}
		return Kind.HOLD_AT_LEAST;
	}

	private List<String> chooseKeys(int count) {
		TreeSet<String> keys = new TreeSet<>();
		while (keys.size() < count) {
			keys.add("k" + this.random.nextInt(this.config.keys()));
		}
		return new ArrayList<>(keys);
	}

	private long millis(int from, int to) {
		return TimeUnit.MILLISECONDS.toNanos(from + this.random.nextInt(to - from + 1));
	}

	/** Simulated work (or think time), not synchronisation. */
	private static void pause(long nanos) {
		if (nanos > 0) {
			try {
				TimeUnit.NANOSECONDS.sleep(nanos);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}
	}

}

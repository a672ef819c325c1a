package dev.redlock.core;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.redlock.LockHandle;
import dev.redlock.LockRequest;
import dev.redlock.core.jedis.JedisLockNode;
import dev.redlock.protocol.RedisNodeAddress;
import dev.redlock.test.RedisServerProcess;
import dev.redlock.test.RedisServersExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Leases and holds-at-least longer than the restart guard's hold-out (1 s here), on 3 real nodes:
 * no node is ever told a TTL above the hold-out, the engine keeps the lock to the end asked for
 * (and no further), and closing the engine stops the keeping.
 */
class LeaseKeepingTests {

	private static final Duration HOLD_OUT = Duration.ofSeconds(1);

	private static final Duration NODE_TIMEOUT = Duration.ofMillis(200);

	@RegisterExtension
	static final RedisServersExtension redis = new RedisServersExtension(3);

	private final List<Redlock> engines = new ArrayList<>();

	private final List<HeldLock> lost = new CopyOnWriteArrayList<>();

	@AfterEach
	void closeEngines() {
		this.engines.forEach(Redlock::close);
		redis.servers().reset();
	}

	@Test
	void aLeaseLongerThanTheHoldOutShouldBeKeptPastItAndEndWhenAskedWhileTheWorkGoesOn() {
		Redlock redlock = guarded();
		Redlock other = unguarded();
		long start = System.nanoTime();
		// not renewed while the work runs: the engine keeps it for the lease asked for, no longer
		LockHandle handle = redlock.acquire(new LockRequest("long", List.of("long-a"), Duration.ofSeconds(3),
				Duration.ZERO, false, null, Duration.ZERO, false));
		assertThat(handle.remaining()).as("the validity is the TTL told, not the lease").isLessThanOrEqualTo(HOLD_OUT);
		assertTtlAtMostHoldOut("test:long-a");
		await().pollDelay(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(3)).untilAsserted(() -> {
			assertThat(handle.isValid()).as("still valid past the hold-out").isTrue();
			assertThat(redis.servers().keysOnMajority("test:long-a")).containsExactly("test:long-a");
			assertTtlAtMostHoldOut("test:long-a");
			assertThat(other.tryAcquire("long-a", Duration.ofSeconds(1), Duration.ZERO)).as("taken by another")
				.isEmpty();
		});
		assertThat(this.lost).as("not lost before the lease's end").isEmpty();
		// the work goes on: at the lease's end the holder learns it is lost
		await().atMost(Duration.ofSeconds(6)).until(() -> !this.lost.isEmpty());
		assertThat(Duration.ofNanos(System.nanoTime() - start)).as("lost at the lease's end")
			.isGreaterThanOrEqualTo(Duration.ofMillis(2900));
		assertThat(handle.isValid()).isFalse();
		assertThat(this.lost).singleElement().extracting(HeldLock::key).isEqualTo("test:long-a");
		await().atMost(Duration.ofSeconds(3)).until(() -> other.tryAcquire("long-a", Duration.ofSeconds(1),
				Duration.ZERO).map((taken) -> {
					taken.close();
					return true;
				}).orElse(false));
		handle.close();
	}

	@Test
	void autoRenewShouldKeepALeaseLongerThanTheHoldOutPastItsEndUpToTheMaximumHoldTime() {
		Redlock redlock = guarded();
		Redlock other = unguarded();
		long start = System.nanoTime();
		LockHandle handle = redlock.acquire(new LockRequest("long", List.of("long-f"), Duration.ofSeconds(2),
				Duration.ZERO, true, Duration.ofSeconds(4), Duration.ZERO, false));
		await().pollDelay(Duration.ofMillis(2800)).atMost(Duration.ofSeconds(3)).untilAsserted(() -> {
			assertThat(handle.isValid()).as("renewed past the 2 s lease").isTrue();
			assertTtlAtMostHoldOut("test:long-f");
			assertThat(other.tryAcquire("long-f", Duration.ofSeconds(1), Duration.ZERO)).isEmpty();
		});
		await().atMost(Duration.ofSeconds(5)).until(() -> !handle.isValid());
		assertThat(Duration.ofNanos(System.nanoTime() - start)).as("held to the maximum hold time")
			.isGreaterThan(Duration.ofMillis(3900));
		// as before: the maximum hold time ends the renewal with a warning, not a loss
		assertThat(this.lost).isEmpty();
		handle.close();
	}

	@Test
	void aHandExtensionLongerThanTheHoldOutShouldBeKeptTheSameWay() {
		Redlock redlock = guarded();
		Redlock other = unguarded();
		// a lease of the hold-out: on a loaded machine a shorter one could end before the extension is decided
		LockHandle handle = redlock.acquire(new LockRequest("long", List.of("long-b"), HOLD_OUT, Duration.ZERO, false,
				null, Duration.ZERO, false));
		assertThat(handle.extend(Duration.ofSeconds(3))).as("extended to 3 s").isTrue();
		assertThat(handle.remaining()).isLessThanOrEqualTo(HOLD_OUT);
		await().pollDelay(Duration.ofMillis(1800)).atMost(Duration.ofSeconds(3)).untilAsserted(() -> {
			assertThat(handle.isValid()).isTrue();
			assertTtlAtMostHoldOut("test:long-b");
			assertThat(other.tryAcquire("long-b", Duration.ofSeconds(1), Duration.ZERO)).isEmpty();
		});
		handle.close();
		await().atMost(Duration.ofSeconds(2))
			.untilAsserted(() -> assertThat(redis.servers().keysOnMajority("test:long-b")).isEmpty());
		assertThat(this.lost).as("released before its end: not lost").isEmpty();
	}

	@Test
	void aHoldAtLeastLongerThanTheHoldOutShouldKeepTheKeyOnAQuorumUntilItEnds() {
		Redlock redlock = guarded();
		Redlock other = unguarded();
		long start = System.nanoTime();
		LockHandle handle = redlock.acquire(new LockRequest("long", List.of("long-c"), Duration.ofSeconds(5),
				Duration.ZERO, false, null, Duration.ofSeconds(3), false));
		handle.close();
		// past the 1 s TTL: still on a quorum, each copy told at most the hold-out, nobody else can take it
		await().pollDelay(Duration.ofMillis(1500)).atMost(Duration.ofMillis(2500)).untilAsserted(() -> {
			assertThat(redis.servers().keysOnMajority("test:long-c")).containsExactly("test:long-c");
			assertTtlAtMostHoldOut("test:long-c");
			assertThat(other.tryAcquire("long-c", Duration.ofSeconds(1), Duration.ZERO)).isEmpty();
		});
		await().atMost(Duration.ofSeconds(5))
			.untilAsserted(() -> assertThat(redis.servers().keysOnMajority("test:long-c")).isEmpty());
		long gone = System.nanoTime() - start;
		assertThat(Duration.ofNanos(gone)).as("kept until the hold-at-least").isGreaterThan(Duration.ofMillis(2900));
		// the last step was cut to end at the hold-at-least: well before one more TTL
		assertThat(Duration.ofNanos(gone)).isLessThan(Duration.ofMillis(3900));
		assertThat(this.lost).isEmpty();
	}

	@Test
	void closingTheEngineShouldStopKeepingAReleasedKeyWhichThenExpiresWithItsLastTtl() {
		Redlock redlock = guarded();
		LockHandle handle = redlock.acquire(new LockRequest("long", List.of("long-d"), Duration.ofSeconds(10),
				Duration.ZERO, false, null, Duration.ofSeconds(8), false));
		handle.close();
		long closed = System.nanoTime();
		redlock.close();
		await().atMost(Duration.ofSeconds(4))
			.untilAsserted(() -> assertThat(redis.servers().keysOnMajority("test:long-d")).isEmpty());
		assertThat(Duration.ofNanos(System.nanoTime() - closed)).as("gone with the TTL told, not kept to 8 s")
			.isLessThan(Duration.ofSeconds(3));
	}

	@Test
	void closingTheEngineShouldReleaseAKeptLease() {
		Redlock redlock = guarded();
		redlock.acquire(new LockRequest("long", List.of("long-e"), Duration.ofMinutes(5), Duration.ZERO, false, null,
				Duration.ZERO, false));
		assertTtlAtMostHoldOut("test:long-e");
		redlock.close();
		assertThat(redis.servers().keysOnMajority("test:long-e")).isEmpty();
		assertThat(unguarded().tryAcquire("long-e", Duration.ofSeconds(1), Duration.ZERO)).isPresent();
	}

	/** Every node that has the key was told at most the hold-out. */
	private static void assertTtlAtMostHoldOut(String key) {
		for (RedisServerProcess server : redis.servers().all()) {
			long ttl = (Long) server.call("PTTL", key);
			assertThat(ttl).as("PTTL of %s on %s", key, server).isLessThanOrEqualTo(HOLD_OUT.toMillis());
		}
	}

	private Redlock guarded() {
		Redlock redlock = builder().restartGuard(HOLD_OUT, Duration.ofMillis(200)).observer(new LockObserver() {

			@Override
			public void lockLost(HeldLock lock) {
				LeaseKeepingTests.this.lost.add(lock);
			}

		}).build();
		this.engines.add(redlock);
		// fresh nodes count at once; wait for it all the same, so that no attempt meets a node held out
		await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
			.until(() -> redlock.probe().stream().allMatch((status) -> status.lockable() && status.problem().isEmpty()));
		return redlock;
	}

	private Redlock unguarded() {
		Redlock redlock = builder().build();
		this.engines.add(redlock);
		return redlock;
	}

	private static Redlock.Builder builder() {
		RedlockSettings settings = new RedlockSettings(Duration.ofSeconds(1), Duration.ZERO, Duration.ofMillis(20),
				Duration.ofMillis(20), NODE_TIMEOUT, 0.01, "test:");
		List<LockNode> nodes = new ArrayList<>();
		for (String uri : redis.uris()) {
			nodes.add(new JedisLockNode(RedisNodeAddress.parse("node", uri), NODE_TIMEOUT, 4));
		}
		return Redlock.builder(nodes, settings);
	}

}

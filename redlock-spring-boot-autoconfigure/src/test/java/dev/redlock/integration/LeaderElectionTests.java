package dev.redlock.integration;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;

import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.integration.leader.Context;
import org.springframework.integration.leader.DefaultCandidate;
import org.springframework.integration.support.leader.LockRegistryLeaderInitiator;
import org.springframework.integration.support.locks.LockRegistry;

import dev.redlock.AppInstance;
import dev.redlock.autoconfigure.RedlockAutoConfiguration;
import dev.redlock.autoconfigure.RedlockIntegrationAutoConfiguration;
import dev.redlock.test.DelayProxy;
import dev.redlock.test.RedisServerProcess;
import dev.redlock.test.RedisServersExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Leader election with Spring Integration's {@link LockRegistryLeaderInitiator} on
 * {@link RedlockLockRegistry}: three application instances, each reaching the 5 real nodes
 * through proxies of its own (so a test can cut one instance off), have one leader at a time, and
 * leadership moves within a bounded time when the leader loses its lock (cut off from every node)
 * and when the leader's instance stops.
 *
 * <p>"One leader at a time" is checked at each grant: when an instance is granted leadership, no
 * other instance's initiator may still consider itself leader. (The initiator marks itself as not
 * leading before it unlocks, and calls {@code onRevoked} after, so comparing the times of
 * {@code onGranted} and {@code onRevoked} across instances would show a hand-over as an overlap.)
 */
class LeaderElectionTests {

	private static final Duration TTL = Duration.ofSeconds(4);

	private static final Queue<Event> history = new ConcurrentLinkedQueue<>();

	private static final Map<String, LockRegistryLeaderInitiator> initiators = new ConcurrentHashMap<>();

	@RegisterExtension
	static final RedisServersExtension redis = new RedisServersExtension(5);

	private final Map<String, List<DelayProxy>> proxies = new LinkedHashMap<>();

	private final Map<String, ConfigurableApplicationContext> instances = new LinkedHashMap<>();

	@AfterEach
	void stop() {
		this.instances.values().forEach(ConfigurableApplicationContext::close);
		this.proxies.values().forEach((list) -> list.forEach(DelayProxy::close));
		initiators.clear();
		history.clear();
	}

	@Test
	void threeInstancesShouldHaveOneLeaderAtATimeAndHandOverWhenTheLeaderIsCutOffOrStops() {
		for (String id : List.of("a", "b", "c")) {
			start(id);
		}
		String first = awaitOneLeader(null, Duration.ofSeconds(15));

		// the leader loses its lock: cut off from every node, it cannot extend its lease
		long cutAt = System.nanoTime();
		this.proxies.get(first).forEach((proxy) -> proxy.setDelay(Duration.ofHours(1)));
		String second = awaitOneLeader(first, TTL.plusSeconds(6));
		long movedAfterLoss = grantedAt(second) - cutAt;
		assertThat(lastEvent(first).kind()).isEqualTo(Kind.REVOKED);
		this.proxies.get(first).forEach((proxy) -> proxy.setDelay(Duration.ZERO));

		// the leader's instance stops
		long stoppedAt = System.nanoTime();
		this.instances.remove(second).close();
		String third = awaitOneLeader(second, Duration.ofSeconds(10));
		long movedAfterStop = grantedAt(third) - stoppedAt;

		System.out.printf("Leaders: %s, then %s (%d ms after it was cut off), then %s (%d ms after it stopped)%n", first,
				second, Duration.ofNanos(movedAfterLoss).toMillis(), third, Duration.ofNanos(movedAfterStop).toMillis());
		System.out.println("History: " + history);
		assertThat(history).filteredOn((event) -> event.kind() == Kind.GRANTED)
			.as("grants while another instance still led")
			.allSatisfy((event) -> assertThat(event.othersLeading()).isEmpty());
		for (String id : List.of("a", "b", "c")) {
			List<Kind> kinds = history.stream().filter((event) -> event.instance().equals(id)).map(Event::kind).toList();
			for (int i = 0; i < kinds.size(); i++) {
				assertThat(kinds.get(i)).as("event %d of %s: %s", i, id, kinds).isEqualTo((i % 2 == 0) ? Kind.GRANTED : Kind.REVOKED);
			}
		}
	}

	/**
	 * A graceful stop, as a rolling deploy does it: the leader's initiator is stopped (its thread
	 * unlocks when it sees the interrupt, whenever that is), then its context closes at once. Every
	 * round, leadership moves within a couple of seconds, never after the lock's time to live (the
	 * default, 30 s): closing must not grant a lock it does not release, nor lose a release.
	 */
	@Test
	void gracefulStopOfTheLeaderShouldHandLeadershipOverAtOnceEveryTime() {
		for (String id : List.of("a", "b", "c")) {
			startWithDefaults(id);
		}
		String leader = awaitOneLeader(null, Duration.ofSeconds(15));
		List<Long> handOvers = new ArrayList<>();
		for (int round = 0; round < 6; round++) {
			long stoppedAt = System.nanoTime();
			initiators.get(leader).stop();
			this.instances.remove(leader).close();
			String next = awaitOneLeader(leader, Duration.ofSeconds(3));
			handOvers.add(Duration.ofNanos(grantedAt(next) - stoppedAt).toMillis());
			initiators.remove(leader);
			startWithDefaults(leader + round);
			leader = next;
		}
		System.out.println("Hand-overs after a graceful stop (ms): " + handOvers);
		assertThat(history).filteredOn((event) -> event.kind() == Kind.GRANTED)
			.as("grants while another instance still led")
			.allSatisfy((event) -> assertThat(event.othersLeading()).isEmpty());
	}

	private void start(String id) {
		List<DelayProxy> own = new ArrayList<>();
		for (RedisServerProcess server : redis.servers().all()) {
			own.add(DelayProxy.to(server));
		}
		this.proxies.put(id, own);
		this.instances.put(id, AppInstance.start(Config.class, own.stream().map(DelayProxy::uri).toList(),
				"instance=" + id, "redlock.integration.expire-after=" + TTL.toMillis() + "ms"));
	}

	/** An instance on the nodes themselves, every setting at its default. */
	private void startWithDefaults(String id) {
		this.instances.put(id, AppInstance.start(Config.class, redis.servers().uris(), "instance=" + id));
	}

	/** Waits until exactly one instance leads, and it is not {@code previous}; returns it. */
	private static String awaitOneLeader(String previous, Duration atMost) {
		try {
			return await().atMost(atMost).until(() -> {
				List<String> leading = leaders();
				return (leading.size() == 1 && !leading.get(0).equals(previous)) ? leading.get(0) : null;
			}, (leader) -> leader != null);
		}
		catch (ConditionTimeoutException ex) {
			throw new AssertionError("No single leader other than " + previous + " within " + atMost + "; history: "
					+ history, ex);
		}
	}

	/** The instances whose latest event is a grant. */
	private static List<String> leaders() {
		Map<String, Kind> latest = new LinkedHashMap<>();
		history.forEach((event) -> latest.put(event.instance(), event.kind()));
		return latest.entrySet().stream().filter((entry) -> entry.getValue() == Kind.GRANTED).map(Map.Entry::getKey).toList();
	}

	private static Event lastEvent(String id) {
		return history.stream().filter((event) -> event.instance().equals(id)).reduce((a, b) -> b).orElseThrow();
	}

	private static long grantedAt(String id) {
		Event last = lastEvent(id);
		assertThat(last.kind()).isEqualTo(Kind.GRANTED);
		return last.nanos();
	}

	enum Kind {

		GRANTED, REVOKED

	}

	record Event(String instance, Kind kind, long nanos, List<String> othersLeading) {

		@Override
		public String toString() {
			return this.instance + " " + this.kind + (this.othersLeading.isEmpty() ? "" : " while " + this.othersLeading
					+ " led");
		}

	}

	/** Records every grant and revocation, and at each grant which other instances still lead. */
	static class RecordingCandidate extends DefaultCandidate {

		RecordingCandidate(String id) {
			super(id, "leader");
		}

		@Override
		public void onGranted(Context context) {
			List<String> others = new ArrayList<>();
			initiators.forEach((id, initiator) -> {
				if (!id.equals(getId()) && initiator.getContext().isLeader()) {
					others.add(id);
				}
			});
			history.add(new Event(getId(), Kind.GRANTED, System.nanoTime(), others));
			super.onGranted(context);
		}

		@Override
		public void onRevoked(Context context) {
			history.add(new Event(getId(), Kind.REVOKED, System.nanoTime(), List.of()));
			super.onRevoked(context);
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ImportAutoConfiguration({ RedlockAutoConfiguration.class, RedlockIntegrationAutoConfiguration.class })
	static class Config {

		@Bean
		RecordingCandidate candidate(@Value("${instance}") String id) {
			return new RecordingCandidate(id);
		}

		@Bean
		LockRegistryLeaderInitiator leaderInitiator(LockRegistry<?> registry, RecordingCandidate candidate) {
			LockRegistryLeaderInitiator initiator = new LockRegistryLeaderInitiator(registry, candidate);
			initiator.setHeartBeatMillis(500);
			initiator.setBusyWaitMillis(50);
			initiators.put(candidate.getId(), initiator);
			return initiator;
		}

	}

}

package dev.redlock.shedlock;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.stream.Collectors;

import net.javacrumbs.shedlock.spring.annotation.EnableSchedulerLock;
import net.javacrumbs.shedlock.spring.annotation.SchedulerLock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.annotation.EnableScheduling;
import org.springframework.scheduling.annotation.Scheduled;

import dev.redlock.AppInstance;
import dev.redlock.autoconfigure.RedlockAutoConfiguration;
import dev.redlock.autoconfigure.RedlockShedLockAutoConfiguration;
import dev.redlock.test.RedisServersExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two application instances run the same {@code @Scheduled} + {@code @SchedulerLock} job every
 * two seconds on 5 real nodes: each tick runs exactly once, across both, also after 2 of the 5
 * nodes are killed.
 */
class SchedulerLockInstancesTests {

	private static final long TICK_MILLIS = 2000;

	private static final Queue<Run> runs = new ConcurrentLinkedQueue<>();

	@RegisterExtension
	static final RedisServersExtension redis = new RedisServersExtension(5);

	@Test
	void twoInstancesShouldRunTheJobOncePerTickAlsoWithTwoOfFiveNodesKilled() {
		runs.clear();
		try (ConfigurableApplicationContext a = AppInstance.start(Config.class, redis.uris(), "instance=a");
				ConfigurableApplicationContext b = AppInstance.start(Config.class, redis.uris(), "instance=b")) {
			long first = currentTick() + 1;
			awaitTicks(first, 5);
			redis.get(3).kill();
			redis.get(4).kill();
			long afterKill = currentTick() + 1;
			awaitTicks(afterKill, 5);
			long last = afterKill + 4;
			Map<Long, List<String>> byTick = new TreeMap<>(runs.stream()
				.filter((run) -> run.tick() >= first && run.tick() <= last)
				.collect(Collectors.groupingBy(Run::tick, Collectors.mapping(Run::instance, Collectors.toList()))));
			System.out.println("Runs by tick (nodes 3 and 4 killed before tick " + afterKill + "): " + byTick);
			for (long tick = first; tick <= last; tick++) {
				assertThat(byTick.get(tick)).as("instances that ran tick %d (runs: %s)", tick, byTick).hasSize(1);
			}
		}
	}

	private static long currentTick() {
		return System.currentTimeMillis() / TICK_MILLIS;
	}

	private static void awaitTicks(long from, int count) {
		await().atMost(Duration.ofMillis(TICK_MILLIS * (count + 4)))
			.until(() -> runs.stream().filter((run) -> run.tick() >= from).map(Run::tick).distinct().count() >= count);
	}

	record Run(String instance, long tick) {
	}

	@Configuration(proxyBeanMethods = false)
	@ImportAutoConfiguration({ RedlockAutoConfiguration.class, RedlockShedLockAutoConfiguration.class })
	@EnableScheduling
	@EnableSchedulerLock(defaultLockAtMostFor = "PT10S")
	static class Config {

		@Bean
		TickJob tickJob(@Value("${instance}") String instance) {
			return new TickJob(instance);
		}

	}

	static class TickJob {

		private final String instance;

		TickJob(String instance) {
			this.instance = instance;
		}

		@Scheduled(cron = "*/2 * * * * *")
		@SchedulerLock(name = "tick", lockAtMostFor = "PT10S", lockAtLeastFor = "PT1.5S")
		public void tick() {
			runs.add(new Run(this.instance, currentTick()));
		}

	}

}

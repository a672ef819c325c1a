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
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
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
 * ShedLock's usual settings, an hour's {@code lockAtMostFor} (far above the restart guard's
 * 30 s hold-out) and a {@code lockAtLeastFor} of 2 s, on two application instances with every
 * Redlock setting at its default (the restart guard on): the job runs exactly once per tick of 3 s,
 * across both, and nothing is logged at ERROR.
 */
@ExtendWith(OutputCaptureExtension.class)
class SchedulerLockLongLeaseTests {

	private static final long TICK_MILLIS = 3000;

	private static final Queue<Run> runs = new ConcurrentLinkedQueue<>();

	@RegisterExtension
	static final RedisServersExtension redis = new RedisServersExtension(3);

	@Test
	void anHourLongLockAtMostForShouldRunOncePerTickOnTwoInstancesWithDefaults(CapturedOutput output) {
		runs.clear();
		// AppInstance turns the restart guard off for fresh nodes: back to the default
		try (ConfigurableApplicationContext a = AppInstance.start(Config.class, redis.uris(), "instance=a",
				"redlock.restart-guard.enabled=true");
				ConfigurableApplicationContext b = AppInstance.start(Config.class, redis.uris(), "instance=b",
						"redlock.restart-guard.enabled=true")) {
			long first = currentTick() + 1;
			int ticks = 4;
			await().atMost(Duration.ofMillis(TICK_MILLIS * (ticks + 4)))
				.until(() -> runs.stream().filter((run) -> run.tick() >= first).map(Run::tick).distinct().count() >= ticks);
			long last = first + ticks - 1;
			Map<Long, List<String>> byTick = new TreeMap<>(runs.stream()
				.filter((run) -> run.tick() >= first && run.tick() <= last)
				.collect(Collectors.groupingBy(Run::tick, Collectors.mapping(Run::instance, Collectors.toList()))));
			for (long tick = first; tick <= last; tick++) {
				assertThat(byTick.get(tick)).as("instances that ran tick %d (runs: %s)", tick, byTick).hasSize(1);
			}
		}
		assertThat(output.getAll()).doesNotContain("ERROR").doesNotContain("hold-out");
	}

	private static long currentTick() {
		return System.currentTimeMillis() / TICK_MILLIS;
	}

	record Run(String instance, long tick) {
	}

	@Configuration(proxyBeanMethods = false)
	@ImportAutoConfiguration({ RedlockAutoConfiguration.class, RedlockShedLockAutoConfiguration.class })
	@EnableScheduling
	@EnableSchedulerLock(defaultLockAtMostFor = "PT1H")
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

		@Scheduled(cron = "*/3 * * * * *")
		@SchedulerLock(name = "hourly", lockAtMostFor = "PT1H", lockAtLeastFor = "PT2S")
		public void tick() {
			runs.add(new Run(this.instance, currentTick()));
		}

	}

}

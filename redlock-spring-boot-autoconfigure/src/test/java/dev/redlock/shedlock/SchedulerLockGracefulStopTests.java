package dev.redlock.shedlock;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import net.javacrumbs.shedlock.spring.annotation.EnableSchedulerLock;
import net.javacrumbs.shedlock.spring.annotation.SchedulerLock;
import org.junit.jupiter.api.AfterEach;
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
 * A ShedLock job that runs until its instance stops (its lock held for up to {@code lockAtMostFor},
 * 20 s) moves to the other instance within a couple of seconds of a graceful stop, every time:
 * closing the context releases the job's lock, whatever the job and the scheduler do meanwhile.
 */
class SchedulerLockGracefulStopTests {

	private static final Queue<String> starts = new ConcurrentLinkedQueue<>();

	@RegisterExtension
	static final RedisServersExtension redis = new RedisServersExtension(3);

	private final Map<String, ConfigurableApplicationContext> instances = new LinkedHashMap<>();

	@AfterEach
	void stop() {
		this.instances.values().forEach(ConfigurableApplicationContext::close);
		starts.clear();
	}

	@Test
	void aLongJobShouldMoveToTheOtherInstanceAtOnceAfterAGracefulStopEveryTime() {
		start("a");
		start("b");
		String running = await().atMost(Duration.ofSeconds(10)).until(starts::peek, (id) -> id != null);
		List<Long> moves = new ArrayList<>();
		for (int round = 0; round < 5; round++) {
			int before = starts.size();
			long stoppedAt = System.nanoTime();
			this.instances.remove(running).close();
			String stopped = running;
			running = await().atMost(Duration.ofSeconds(3))
				.until(() -> starts.stream().skip(before).filter((id) -> !id.equals(stopped)).findFirst().orElse(null),
						(id) -> id != null);
			moves.add(Duration.ofNanos(System.nanoTime() - stoppedAt).toMillis());
			start(stopped + round);
		}
		System.out.println("The job moved after a graceful stop within (ms, the close included): " + moves);
	}

	private void start(String id) {
		this.instances.put(id, AppInstance.start(Config.class, redis.uris(), "instance=" + id));
	}

	@Configuration(proxyBeanMethods = false)
	@ImportAutoConfiguration({ RedlockAutoConfiguration.class, RedlockShedLockAutoConfiguration.class })
	@EnableScheduling
	@EnableSchedulerLock(defaultLockAtMostFor = "PT20S")
	static class Config {

		@Bean
		LongJob longJob(@Value("${instance}") String instance) {
			return new LongJob(instance);
		}

	}

	/** Work that runs until its instance stops it (an interrupt), or for at most 20 s. */
	static class LongJob {

		private final String instance;

		LongJob(String instance) {
			this.instance = instance;
		}

		@Scheduled(fixedDelay = 100)
		@SchedulerLock(name = "long-job", lockAtMostFor = "PT20S")
		public void run() throws InterruptedException {
			starts.add(this.instance);
			new CountDownLatch(1).await(20, TimeUnit.SECONDS);
		}

	}

}

package dev.redlock.docs;

import java.util.concurrent.atomic.AtomicInteger;

import net.javacrumbs.shedlock.spring.annotation.EnableSchedulerLock;
import net.javacrumbs.shedlock.spring.annotation.SchedulerLock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.aop.AopAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.annotation.Scheduled;

import dev.redlock.autoconfigure.RedlockAutoConfiguration;
import dev.redlock.autoconfigure.RedlockShedLockAutoConfiguration;
import dev.redlock.test.RedisServersExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The ShedLock example of {@code docs/shedlock-and-spring-integration.md}, as written there (its
 * block is the tagged region of this file; {@code DocumentationExamplesTests} checks that they
 * match), with {@code @EnableSchedulerLock(defaultLockAtMostFor = "10m")} as the page says, on two
 * application instances, 3 real nodes and every setting at its default: the job runs on one
 * instance per tick, and the at-least window keeps the other from running it again.
 *
 * <p>{@code lockAtMostFor = "4m"} is longer than the default restart-guard hold-out (30 s): the
 * engine keeps it alive with short TTLs (issue 20, item 1; it was refused before).
 */
class ShedLockExampleTests {

	@RegisterExtension
	static final RedisServersExtension redis = new RedisServersExtension(3);

	@Configuration(proxyBeanMethods = false)
	@EnableSchedulerLock(defaultLockAtMostFor = "10m")
	static class Config {

		@Bean
		Reports reports() {
			return new Reports();
		}

	}

	static class Reports {

		final AtomicInteger runs = new AtomicInteger();

		// tag::scheduler-lock[]
		@Scheduled(cron = "0 */5 * * * *")
		@SchedulerLock(name = "report", lockAtMostFor = "4m", lockAtLeastFor = "1m")
		public void report() { /*...*/ runs.incrementAndGet(); }                           // one instance per tick; key redlock:shedlock:report
		// end::scheduler-lock[]

		public int runs() {
			return this.runs.get();
		}

	}

	private ApplicationContextRunner instance() {
		return new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(AopAutoConfiguration.class, RedlockAutoConfiguration.class,
					RedlockShedLockAutoConfiguration.class))
			.withPropertyValues("redlock.nodes=" + String.join(",", redis.uris()))
			.withUserConfiguration(Config.class);
	}

	@Test
	void theJobShouldRunOnOneOfTwoInstancesPerTick() {
		instance().run((a) -> instance().run((b) -> {
			assertThat(a).hasNotFailed();
			assertThat(b).hasNotFailed();
			Reports first = a.getBean(Reports.class);
			Reports second = b.getBean(Reports.class);
			first.report();       // the tick, as the scheduler calls it, on instance a
			second.report();      // the same tick on instance b: held (at least a minute)
			first.report();
			assertThat(first.runs() + second.runs()).as("runs of the tick on both instances").isEqualTo(1);
			assertThat(first.runs()).isEqualTo(1);
		}));
	}

}

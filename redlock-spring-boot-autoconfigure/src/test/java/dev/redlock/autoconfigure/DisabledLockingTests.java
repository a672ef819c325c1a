package dev.redlock.autoconfigure;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;

import net.javacrumbs.shedlock.core.LockConfiguration;
import net.javacrumbs.shedlock.core.LockProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;

import dev.redlock.CurrentLock;
import dev.redlock.DistributedLock;
import dev.redlock.LockTemplate;
import dev.redlock.aop.DistributedLockAdvisor;
import dev.redlock.core.Redlock;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code redlock.enabled=false} in a whole web application: every bean stays, locked code runs
 * without a lock (two callers inside the same key at once), health is UP and says why, the
 * endpoint says so too, and one warning is logged, which names the ShedLock and Spring Integration
 * adapters that lose their exclusion as well. No node and no Redis is needed.
 */
@ExtendWith(OutputCaptureExtension.class)
class DisabledLockingTests {

	@SpringBootConfiguration(proxyBeanMethods = false)
	@EnableAutoConfiguration
	static class App {

		@Bean
		Job job() {
			return new Job();
		}

	}

	static class Job {

		final CyclicBarrier bothInside = new CyclicBarrier(2);

		@DistributedLock(key = "#id", waitTime = "0s")
		public boolean pay(String id) throws Exception {
			this.bothInside.await(10, TimeUnit.SECONDS);
			return CurrentLock.handle().orElseThrow().isValid();
		}

	}

	@Test
	void disabledLockingShouldKeepTheBeansRunUnlockedAndSaySo(CapturedOutput output) throws Exception {
		try (ConfigurableApplicationContext context = new SpringApplication(App.class).run("--server.port=0",
				"--redlock.enabled=false", "--management.endpoints.web.exposure.include=health,redlock",
				"--management.endpoint.health.show-details=always")) {
			assertThat(context.getBeanNamesForType(Redlock.class)).hasSize(1);
			assertThat(context.getBeanNamesForType(DistributedLockAdvisor.class)).hasSize(1);
			assertThat(context.getBean(Redlock.class).isEnabled()).isFalse();

			Job job = context.getBean(Job.class);
			// two threads of their own: the common pool may have a single worker on a 2-core machine
			ExecutorService callers = Executors.newFixedThreadPool(2);
			try {
				CompletableFuture<Boolean> first = CompletableFuture.supplyAsync(() -> pay(job), callers);
				CompletableFuture<Boolean> second = CompletableFuture.supplyAsync(() -> pay(job), callers);
				assertThat(first.get(20, TimeUnit.SECONDS)).as("both callers inside the same key at once").isTrue();
				assertThat(second.get(20, TimeUnit.SECONDS)).isTrue();
			}
			finally {
				callers.shutdownNow();
			}
			LockTemplate template = context.getBean(LockTemplate.class);
			String held = template.execute("order:1", (handle) -> handle.isValid() + " " + handle.key());
			assertThat(held)
				.isEqualTo("true redlock:order:1");

			String port = context.getEnvironment().getProperty("local.server.port");
			String health = get("http://127.0.0.1:" + port + "/actuator/health/redlock");
			assertThat(health).contains("\"status\":\"UP\"").contains("\"locking\":\"" + DisabledLocking.DETAIL + "\"");
			String endpoint = get("http://127.0.0.1:" + port + "/actuator/redlock");
			assertThat(endpoint).contains("\"locking\":\"" + DisabledLocking.DETAIL + "\"").contains("\"nodes\":[]");
		}
		assertThat(output.getOut().split("Redlock locking is disabled", -1)).as("one warning").hasSize(2);
	}

	@Test
	void disabledLockingShouldSayThatShedLockAndSpringIntegrationLoseTheirExclusionToo(CapturedOutput output) {
		new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(RedlockAutoConfiguration.class,
					RedlockShedLockAutoConfiguration.class, RedlockIntegrationAutoConfiguration.class))
			.withPropertyValues("redlock.enabled=false")
			.run((context) -> {
				LockConfiguration job = new LockConfiguration(Instant.now(), "nightly", Duration.ofMinutes(1),
						Duration.ZERO);
				LockProvider provider = context.getBean(LockProvider.class);
				assertThat(provider.lock(job)).as("first instance").isPresent();
				assertThat(provider.lock(job)).as("second instance, while the first holds the job").isPresent();
			});
		String warning = output.getOut()
			.lines()
			.filter((line) -> line.contains("WARN") && line.contains("Redlock locking is disabled"))
			.findFirst()
			.orElseThrow();
		assertThat(warning).contains("redlock.enabled=false")
			.contains("ShedLock LockProvider (every instance runs each @SchedulerLock job at every trigger)")
			.contains("Spring Integration LockRegistry (every instance obtains every lock and wins every leader "
					+ "election)");
	}

	private static boolean pay(Job job) {
		try {
			return job.pay("o-1");
		}
		catch (Exception ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static String get(String url) throws Exception {
		HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
		HttpRequest request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build();
		HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
		assertThat(response.statusCode()).as(url).isEqualTo(200);
		return response.body();
	}

}

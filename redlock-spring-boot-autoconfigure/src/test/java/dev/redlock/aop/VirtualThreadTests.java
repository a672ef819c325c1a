package dev.redlock.aop;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import jdk.jfr.consumer.RecordingStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledForJreRange;
import org.junit.jupiter.api.condition.JRE;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.aop.AopAutoConfiguration;
import org.springframework.boot.autoconfigure.task.TaskExecutionAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.task.AsyncTaskExecutor;

import dev.redlock.aop.CallSiteServices.Inner;
import dev.redlock.autoconfigure.RedlockAutoConfiguration;
import dev.redlock.test.RedisServersExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Locking from virtual threads with {@code spring.threads.virtual.enabled=true}: works, and nothing
 * on the lock path pins a carrier thread (checked with JFR's {@code jdk.VirtualThreadPinned}).
 * Runs on JDK 21 and newer; CI runs the suite on such a JDK too.
 */
@EnabledForJreRange(min = JRE.JAVA_21)
class VirtualThreadTests {

	@RegisterExtension
	static final RedisServersExtension redis = new RedisServersExtension(3);

	@Configuration(proxyBeanMethods = false)
	static class Beans {

		@Bean
		Inner inner() {
			return new Inner();
		}

	}

	@Test
	void lockingOnVirtualThreadsShouldWorkWithoutPinningCarriers() throws Exception {
		new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(AopAutoConfiguration.class, RedlockAutoConfiguration.class,
					TaskExecutionAutoConfiguration.class))
			.withUserConfiguration(Beans.class)
			.withPropertyValues("spring.threads.virtual.enabled=true", "redlock.restart-guard.enabled=false",
					"redlock.nodes=" + String.join(",", redis.uris()))
			.run((context) -> {
				AsyncTaskExecutor executor = context.getBean("applicationTaskExecutor", AsyncTaskExecutor.class);
				Inner inner = context.getBean(Inner.class);
				AtomicInteger pinned = new AtomicInteger();
				AtomicInteger virtual = new AtomicInteger();
				// first calls load classes, which may pin briefly inside the class loader: not the lock path
				List<Future<String>> warmUp = new ArrayList<>();
				for (int i = 0; i < 10; i++) {
					String id = "w-" + i;
					warmUp.add(executor.submit(() -> inner.locked(id)));
				}
				for (Future<String> call : warmUp) {
					call.get(30, TimeUnit.SECONDS);
				}
				// then, with idle connections, a virtual thread reads the nodes' answers itself: its
				// first socket read initializes the JDK's I/O poller once, which pins briefly too
				for (int i = 0; i < 5; i++) {
					String id = "w-seq-" + i;
					executor.submit(() -> inner.locked(id)).get(30, TimeUnit.SECONDS);
				}
				try (RecordingStream events = new RecordingStream()) {
					events.enable("jdk.VirtualThreadPinned").withThreshold(Duration.ZERO).withStackTrace();
					events.onEvent("jdk.VirtualThreadPinned", (event) -> {
						if (pinned.incrementAndGet() == 1) {
							System.err.println("PINNED: " + event);
						}
					});
					events.startAsync();
					List<Future<String>> calls = new ArrayList<>();
					for (int i = 0; i < 50; i++) {
						String id = "v-" + i;
						calls.add(executor.submit(() -> {
							if ((Boolean) Thread.class.getMethod("isVirtual").invoke(Thread.currentThread())) {
								virtual.incrementAndGet();
							}
							return inner.locked(id);
						}));
					}
					for (int i = 0; i < calls.size(); i++) {
						assertThat(calls.get(i).get(30, TimeUnit.SECONDS)).isEqualTo("inner:redlock:v-" + i);
					}
					// RecordingStream.stop() (JDK 20+) delivers the events still buffered before it returns
					RecordingStream.class.getMethod("stop").invoke(events);
				}
				assertThat(virtual).as("tasks on virtual threads").hasValue(50);
				assertThat(pinned).as("pinned carrier events").hasValue(0);
			});
	}

}

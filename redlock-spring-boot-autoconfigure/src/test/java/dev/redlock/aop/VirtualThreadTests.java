package dev.redlock.aop;

import java.lang.reflect.Method;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

import jdk.jfr.consumer.RecordedThread;
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

import dev.redlock.LockRequest;
import dev.redlock.aop.CallSiteServices.Inner;
import dev.redlock.autoconfigure.RedlockAutoConfiguration;
import dev.redlock.core.LockNode;
import dev.redlock.core.Redlock;
import dev.redlock.core.RedlockSettings;
import dev.redlock.core.jedis.JedisLockNode;
import dev.redlock.protocol.RedisNodeAddress;
import dev.redlock.test.RedisServerProcess;
import dev.redlock.test.RedisServersExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Locking from virtual threads with {@code spring.threads.virtual.enabled=true}: works, nothing
 * on the lock path pins a carrier thread (JFR's {@code jdk.VirtualThreadPinned}; it shows
 * monitors only on JDK 21 to 23, {@code NoMonitorAroundBlockingCallsTests} checks them on every
 * JDK), and a call on a virtual thread leaves the nodes' answers to the I/O threads (JFR's
 * {@code jdk.SocketRead}: no read from a node on a virtual thread). Runs on JDK 21 and newer
 * (there are no virtual threads before); CI runs the suite on such a JDK too, and fails without
 * one.
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
	void callsOnVirtualThreadsShouldLeaveTheNodesAnswersToTheIoThreads() throws Exception {
		List<LockNode> nodes = new ArrayList<>();
		for (String uri : redis.uris()) {
			nodes.add(new JedisLockNode(RedisNodeAddress.parse("redlock.nodes", uri), Duration.ofSeconds(1), 8));
		}
		Set<Integer> ports = redis.servers().all().stream().map(RedisServerProcess::port).collect(Collectors.toSet());
		Method isVirtual = RecordedThread.class.getMethod("isVirtual");
		Map<String, Integer> readsOn = new ConcurrentHashMap<>();
		ExecutorService virtualThreads = VirtualThreads.executor();
		try (Redlock redlock = Redlock.builder(nodes, RedlockSettings.defaults()).build()) {
			Runnable locks = () -> {
				for (int i = 0; i < 20; i++) {
					redlock.acquire(LockRequest.of("path-" + i, Duration.ofSeconds(10), Duration.ZERO).withAutoRenew(false))
						.close();
				}
			};
			// connections and classes first, outside the recording
			locks.run();
			virtualThreads.submit(locks).get(60, TimeUnit.SECONDS);
			try (RecordingStream events = new RecordingStream()) {
				events.enable("jdk.SocketRead").withThreshold(Duration.ZERO);
				events.onEvent("jdk.SocketRead", (event) -> {
					if (ports.contains(event.getInt("port"))) {
						readsOn.merge(role(event.getThread(), isVirtual), 1, Integer::sum);
					}
				});
				events.startAsync();
				Thread platform = new Thread(locks, "platform-caller");
				platform.start();
				platform.join(60_000);
				virtualThreads.submit(locks).get(60, TimeUnit.SECONDS);
				RecordingStream.class.getMethod("stop").invoke(events);
			}
		}
		finally {
			virtualThreads.shutdownNow();
		}
		assertThat(readsOn).as("socket reads from the nodes, by thread").containsKey("platform-caller")
			.doesNotContainKey("virtual")
			.containsKey("redlock-io");
	}

	private static String role(RecordedThread thread, Method isVirtual) {
		try {
			if ((Boolean) isVirtual.invoke(thread)) {
				return "virtual";
			}
		}
		catch (ReflectiveOperationException ex) {
			throw new IllegalStateException(ex);
		}
		String name = String.valueOf(thread.getJavaName());
		return name.startsWith("redlock-io") ? "redlock-io" : name;
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

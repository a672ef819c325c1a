package dev.redlock.sample;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;

import dev.redlock.LockHandle;
import dev.redlock.LockTemplate;
import dev.redlock.autoconfigure.RedlockProperties;
import dev.redlock.sample.embedded.EmbeddedRedisNodes;
import dev.redlock.sample.orders.LedgerAuditor;
import dev.redlock.sample.orders.Payment;
import dev.redlock.sample.orders.PaymentLedger;
import dev.redlock.sample.orders.SettlementJob;
import dev.redlock.test.RedisServerProcess;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The sample on its own embedded Redis nodes, through HTTP.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "sample.demo.enabled=false", "sample.payment.gateway-latency=10ms", "redlock.wait-time=1s",
				"sample.settlement.interval=200ms" })
class SampleApplicationTests {

	private static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

	@LocalServerPort
	private int port;

	@Autowired
	private EmbeddedRedisNodes nodes;

	@Autowired
	private RedlockProperties redlock;

	@Autowired
	private PaymentLedger ledger;

	@Autowired
	private LockTemplate lockTemplate;

	@Autowired
	private SettlementJob settlementJob;

	@Autowired
	private LedgerAuditor auditor;

	@Test
	void startingWithoutRedlockNodesShouldLockOnFiveEmbeddedRedisNodes() {
		assertThat(this.nodes.servers()).hasSize(5).allMatch(RedisServerProcess::isRunning);
		assertThat(this.redlock.getNodes()).containsExactlyElementsOf(this.nodes.uris());
		assertThat(this.nodes.uris()).allMatch((uri) -> uri.startsWith("redis://127.0.0.1:"));
	}

	@Test
	void payingTheSameOrderConcurrentlyShouldChargeItOnce() throws Exception {
		List<String> orders = List.of("race-1", "race-2", "race-3", "race-4");
		int threads = 12;
		ExecutorService pool = Executors.newFixedThreadPool(threads);
		CountDownLatch start = new CountDownLatch(1);
		List<Future<List<Integer>>> results = new ArrayList<>();
		try {
			for (int t = 0; t < threads; t++) {
				results.add(pool.submit(() -> {
					start.await();
					List<Integer> statuses = new ArrayList<>();
					for (String order : orders) {
						statuses.add(post("/orders/" + order + "/pay").statusCode());
					}
					return statuses;
				}));
			}
			start.countDown();
			List<Integer> statuses = new ArrayList<>();
			for (Future<List<Integer>> result : results) {
				statuses.addAll(result.get(30, TimeUnit.SECONDS));
			}
			assertThat(statuses).hasSize(threads * orders.size()).isSubsetOf(201, 200, 409);
			assertThat(statuses).filteredOn((status) -> status == 201).hasSize(orders.size());
		}
		finally {
			pool.shutdownNow();
		}
		assertThat(this.ledger.doublePayments()).isZero();
		Map<String, Long> paymentsPerOrder = this.ledger.all()
			.stream()
			.filter((payment) -> orders.contains(payment.orderId()))
			.collect(Collectors.groupingBy(Payment::orderId, Collectors.counting()));
		assertThat(paymentsPerOrder).containsOnlyKeys(orders).allSatisfy((order, count) -> assertThat(count).isOne());
		assertThat(get("/payments").body()).contains("\"orderId\":\"race-1\"", "\"orderId\":\"race-4\"");
	}

	@Test
	void payingAnOrderWhoseLockIsHeldElsewhereShouldAnswerConflictUntilItIsReleased() throws Exception {
		try (LockHandle held = this.lockTemplate.tryAcquire("orders:held-1", Duration.ofSeconds(10), Duration.ZERO)
			.orElseThrow()) {
			assertThat(held.key()).isEqualTo("redlock:orders:held-1");
			assertThat(this.nodes.servers())
				.filteredOn((node) -> node.keys(held.key()).size() == 1)
				.hasSizeGreaterThanOrEqualTo(3);
			HttpResponse<String> pay = post("/orders/held-1/pay");
			assertThat(pay.statusCode()).isEqualTo(409);
			assertThat(pay.body()).contains("redlock:orders:held-1");
			assertThat(post("/orders/held-1/refund").statusCode()).isEqualTo(409);
		}
		assertThat(post("/orders/held-1/pay").statusCode()).isEqualTo(201);
		assertThat(post("/orders/held-1/refund").statusCode()).isEqualTo(200);
		assertThat(post("/orders/held-1/refund").statusCode()).isEqualTo(404);
		// a release waits for the nodes known to hold the lock; a node whose SET was still under way is
		// released right after
		await().atMost(Duration.ofSeconds(2)).untilAsserted(() -> assertThat(this.nodes.servers())
			.allSatisfy((node) -> assertThat(node.keys("redlock:orders:held-1")).isEmpty()));
	}

	@Test
	void theOnlyInstanceShouldBeElectedLedgerAuditorOnTheNodes() {
		await().atMost(Duration.ofSeconds(15)).until(this.auditor::isLeading);
		assertThat(this.auditor.audit()).isTrue();
		String key = "redlock:integration:" + LedgerAuditor.ROLE;
		assertThat(this.nodes.servers().stream().filter((server) -> !server.keys(key).isEmpty()).count())
			.isGreaterThanOrEqualTo(3);
	}

	@Test
	void theSettlementJobShouldSettlePaidOrdersOnSchedule() throws Exception {
		assertThat(post("/orders/settle-1/pay").statusCode()).isEqualTo(201);
		await().atMost(Duration.ofSeconds(5))
			.untilAsserted(() -> assertThat(this.ledger.activePayment("settle-1"))
				.hasValueSatisfying((payment) -> assertThat(payment.status()).isEqualTo(Payment.Status.SETTLED)));
	}

	@Test
	void theSettlementJobShouldSkipItsRoundWhileAnotherInstanceSettles() throws Exception {
		try (LockHandle otherInstance = this.lockTemplate
			.tryAcquire(SettlementJob.LOCK_KEY, Duration.ofSeconds(10), Duration.ofSeconds(2))
			.orElseThrow()) {
			assertThat(otherInstance.key()).isEqualTo("redlock:settlement");
			assertThat(post("/orders/settle-2/pay").statusCode()).isEqualTo(201);
			assertThat(this.settlementJob.settle()).isZero();
			assertThat(this.ledger.activePayment("settle-2"))
				.hasValueSatisfying((payment) -> assertThat(payment.status()).isEqualTo(Payment.Status.PAID));
		}
		await().atMost(Duration.ofSeconds(5))
			.untilAsserted(() -> assertThat(this.ledger.activePayment("settle-2"))
				.hasValueSatisfying((payment) -> assertThat(payment.status()).isEqualTo(Payment.Status.SETTLED)));
	}

	@Test
	void healthShouldBeUpWithDetails() throws Exception {
		HttpResponse<String> health = get("/actuator/health");
		assertThat(health.statusCode()).isEqualTo(200);
		assertThat(health.body()).contains("\"status\":\"UP\"", "\"components\"", "\"redlock\"");
	}

	@Test
	void theRedlockEndpointShouldReportFiveUsableNodesAndTheQuorum() throws Exception {
		HttpResponse<String> redlock = get("/actuator/redlock");
		assertThat(redlock.statusCode()).isEqualTo(200);
		assertThat(redlock.body()).contains("\"quorum\":3", "\"usableNodes\":5");
	}

	private HttpResponse<String> post(String path) throws IOException, InterruptedException {
		return send(HttpRequest.newBuilder(uri(path)).POST(HttpRequest.BodyPublishers.noBody()));
	}

	private HttpResponse<String> get(String path) throws IOException, InterruptedException {
		return send(HttpRequest.newBuilder(uri(path)).GET());
	}

	private static HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
		return http.send(request.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
	}

	private URI uri(String path) {
		return URI.create("http://127.0.0.1:" + this.port + path);
	}

}

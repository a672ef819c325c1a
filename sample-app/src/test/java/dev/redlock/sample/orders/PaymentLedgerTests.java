package dev.redlock.sample.orders;

import java.time.Duration;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link PaymentLedger}: above all, that it sees a double payment when nothing locks.
 */
class PaymentLedgerTests {

	@Test
	void payingTheSameOrderConcurrentlyWithoutALockShouldBeCountedAsADoublePayment() {
		// both callers pass "is it paid?" before either records: the race a lock must prevent
		CyclicBarrier bothCharging = new CyclicBarrier(2);
		PaymentLedger ledger = new PaymentLedger((orderId) -> await(bothCharging));
		// two threads of their own: the common pool may have a single worker on a 2-core machine
		ExecutorService callers = Executors.newFixedThreadPool(2);
		try {
			CompletableFuture<PaymentResult> first = CompletableFuture.supplyAsync(() -> ledger.payOnce("o-1", "a"),
					callers);
			CompletableFuture<PaymentResult> second = CompletableFuture.supplyAsync(() -> ledger.payOnce("o-1", "b"),
					callers);
			assertThat(first.orTimeout(10, TimeUnit.SECONDS).join().charged()).isTrue();
			assertThat(second.orTimeout(10, TimeUnit.SECONDS).join().charged()).isTrue();
		}
		finally {
			callers.shutdownNow();
		}
		assertThat(ledger.doublePayments()).isEqualTo(1);
		assertThat(ledger.all()).hasSize(2);
	}

	@Test
	void payingAPaidOrderShouldNotChargeAgain() {
		PaymentLedger ledger = new PaymentLedger(PaymentGateway.simulated(Duration.ZERO));
		PaymentResult first = ledger.payOnce("o-1", "a");
		PaymentResult second = ledger.payOnce("o-1", "b");
		assertThat(first.charged()).isTrue();
		assertThat(second.charged()).isFalse();
		assertThat(second.payment()).isEqualTo(first.payment());
		assertThat(ledger.doublePayments()).isZero();
		assertThat(ledger.paidOrders()).isEqualTo(1);
	}

	@Test
	void payingARefundedOrderAgainShouldNotCountAsADoublePayment() {
		PaymentLedger ledger = new PaymentLedger(PaymentGateway.simulated(Duration.ZERO));
		ledger.payOnce("o-1", "a");
		assertThat(ledger.refund("o-1")).hasValueSatisfying(
				(payment) -> assertThat(payment.status()).isEqualTo(Payment.Status.REFUNDED));
		assertThat(ledger.payOnce("o-1", "a").charged()).isTrue();
		assertThat(ledger.doublePayments()).isZero();
		assertThat(ledger.all()).extracting(Payment::status)
			.containsExactly(Payment.Status.REFUNDED, Payment.Status.PAID);
	}

	@Test
	void refundingAnUnpaidOrderShouldFindNothing() {
		PaymentLedger ledger = new PaymentLedger(PaymentGateway.simulated(Duration.ZERO));
		assertThat(ledger.refund("o-1")).isEmpty();
	}

	@Test
	void settlingShouldSettleEveryPaidPaymentOnce() {
		PaymentLedger ledger = new PaymentLedger(PaymentGateway.simulated(Duration.ZERO));
		ledger.payOnce("o-1", "a");
		ledger.payOnce("o-2", "a");
		assertThat(ledger.settle()).isEqualTo(2);
		assertThat(ledger.settle()).isZero();
		assertThat(ledger.all()).extracting(Payment::status).containsOnly(Payment.Status.SETTLED);
	}

	private static void await(CyclicBarrier barrier) {
		try {
			barrier.await(10, TimeUnit.SECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
		catch (BrokenBarrierException | TimeoutException ex) {
			throw new IllegalStateException(ex);
		}
	}

}

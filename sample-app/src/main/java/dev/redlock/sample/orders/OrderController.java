package dev.redlock.sample.orders;

import java.util.List;

import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

import dev.redlock.LockNotAcquiredException;

/**
 * The HTTP face of {@link OrderService}.
 *
 * <ul>
 * <li>{@code POST /orders/{orderId}/pay}: 201 with the new payment, or 200 with the existing
 * one if the order was already paid</li>
 * <li>{@code POST /orders/{orderId}/refund}: 200 with the refunded payment, or 404 if the order
 * was not charged</li>
 * <li>{@code GET /payments}: every payment, oldest first</li>
 * </ul>
 * A request that cannot get the order's lock within {@code redlock.wait-time} gets 409.
 */
@RestController
public class OrderController {

	private final OrderService orders;

	/**
	 * Creates the controller.
	 * @param orders the service
	 */
	public OrderController(OrderService orders) {
		this.orders = orders;
	}

	/**
	 * Pays an order once.
	 * @param orderId the order
	 * @return 201 with the payment if this request charged, 200 with it if the order was paid before
	 */
	@PostMapping("/orders/{orderId}/pay")
	public ResponseEntity<Payment> pay(@PathVariable String orderId) {
		PaymentResult result = this.orders.pay(orderId);
		return ResponseEntity.status(result.charged() ? HttpStatus.CREATED : HttpStatus.OK).body(result.payment());
	}

	/**
	 * Refunds an order.
	 * @param orderId the order
	 * @return 200 with the refunded payment, or 404 if the order was not charged
	 */
	@PostMapping("/orders/{orderId}/refund")
	public ResponseEntity<Payment> refund(@PathVariable String orderId) {
		return ResponseEntity.of(this.orders.refund(orderId));
	}

	/**
	 * Lists the payments.
	 * @return every payment, oldest first
	 */
	@GetMapping("/payments")
	public List<Payment> payments() {
		return this.orders.payments();
	}

	/**
	 * Answers 409 when the order's lock stayed taken for the whole wait time.
	 * @param ex the failure, naming the key and each node's answer
	 * @return the problem
	 */
	@ExceptionHandler(LockNotAcquiredException.class)
	public ProblemDetail lockNotAcquired(LockNotAcquiredException ex) {
		ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.CONFLICT,
				"The order's lock could not be taken within the wait time; try again. " + ex.getMessage());
		problem.setTitle("Order locked");
		problem.setProperty("lockKey", ex.getKey());
		return problem;
	}

}

package dev.redlock.sample.orders;

import java.time.Duration;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.annotation.EnableScheduling;

/**
 * The payment store and the schedule of the settlement job.
 */
@Configuration(proxyBeanMethods = false)
@EnableScheduling
public class OrdersConfiguration {

	@Bean
	PaymentLedger paymentLedger(@Value("${sample.payment.gateway-latency:5ms}") Duration gatewayLatency) {
		return new PaymentLedger(PaymentGateway.simulated(gatewayLatency));
	}

}

package dev.redlock.autoconfigure;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Objects;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Configuration;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import dev.redlock.LockHandle;
import dev.redlock.LockTemplate;
import dev.redlock.test.RedisServersExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;
import static org.awaitility.Awaitility.await;

/**
 * The actuator endpoints of a web application whose nodes need a password: they work, and no
 * rendered endpoint, log line or startup failure shows the password or a lock token.
 */
@SpringBootTest(classes = RedlockActuatorWebTests.App.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "management.endpoints.web.exposure.include=*", "management.endpoint.health.show-details=always",
				"management.endpoint.configprops.show-values=always", "management.endpoint.env.show-values=always",
				"redlock.restart-guard.enabled=false" })
@ExtendWith(OutputCaptureExtension.class)
class RedlockActuatorWebTests {

	private static final String PASSWORD = "s3cret-Pa55";

	@RegisterExtension
	static final RedisServersExtension redis = new RedisServersExtension(3, "--requirepass", PASSWORD);

	@DynamicPropertySource
	static void nodes(DynamicPropertyRegistry registry) {
		registry.add("redlock.nodes", () -> String.join(",", redis.uris()
			.stream()
			.map((uri) -> uri.replace("redis://", "redis://:" + PASSWORD + "@"))
			.toList()));
	}

	// spring-boot-data-redis is on the test class path; this application has no Redis of Spring Boot's
	@Configuration(proxyBeanMethods = false)
	@EnableAutoConfiguration(excludeName = "org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration")
	static class App {

	}

	@LocalServerPort
	int port;

	@Autowired
	LockTemplate lockTemplate;

	private String get(String path) throws IOException, InterruptedException {
		HttpResponse<String> response = HttpClient.newHttpClient()
			.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.port + path)).build(),
					HttpResponse.BodyHandlers.ofString());
		assertThat(response.statusCode()).as("GET %s", path).isEqualTo(200);
		return response.body();
	}

	@Test
	void endpointsShouldWorkWithoutShowingPasswordsOrTokens(CapturedOutput output) throws Exception {
		try (LockHandle held = this.lockTemplate.tryAcquire("report:7", Duration.ofSeconds(30), Duration.ZERO)
			.orElseThrow()) {
			// the lock returns on a quorum; node 0's copy may still be on its way
			String token = await().atMost(Duration.ofSeconds(2))
				.until(() -> (String) redis.get(0).call("GET", "redlock:report:7"), Objects::nonNull);
			assertThat(token).hasSize(32);
			String health = get("/actuator/health/redlock");
			assertThat(health).contains("\"status\":\"UP\"").contains("\"usableNodes\":3");
			String endpoint = get("/actuator/redlock");
			assertThat(endpoint).contains("\"key\":\"redlock:report:7\"")
				.contains("\"name\":\"report\"")
				.contains("127.0.0.1:" + redis.get(0).port());
			String configprops = get("/actuator/configprops");
			assertThat(configprops).contains("redlock").contains("127.0.0.1:" + redis.get(1).port());
			String env = get("/actuator/env");
			assertThat(env).contains("redlock.nodes");
			for (String body : new String[] { health, endpoint, configprops, env, get("/actuator/health") }) {
				assertThat(body).doesNotContain(PASSWORD).doesNotContain(token);
			}
			assertThat(held.isValid()).isTrue();
		}
		assertThat(output).doesNotContain(PASSWORD);
	}

	@Test
	void failedStartupShouldNotShowThePassword(CapturedOutput output) {
		SpringApplication application = new SpringApplication(App.class);
		assertThatException().isThrownBy(() -> application.run("--server.port=0",
				"--redlock.nodes=redis://:" + PASSWORD + "@127.0.0.1:6379/notadb"));
		assertThat(output).contains("redlock.nodes[0]").contains("APPLICATION FAILED TO START").doesNotContain(PASSWORD);
	}

}

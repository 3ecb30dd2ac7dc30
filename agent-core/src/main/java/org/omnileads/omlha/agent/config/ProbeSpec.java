package org.omnileads.omlha.agent.config;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What a probe of one type checks: the keys of {@code omlha.probes.<name>} beyond the timing ones, validated, with
 * defaults filled in. {@link #typeName()} is the {@code type} key's value, as status shows it.
 *
 * <p>Java 17 has no pattern matching for {@code switch}: {@link #match} takes the place of an exhaustive switch
 * over the permitted records (a new type does not compile until every {@link Cases} handles it).
 *
 * <p>A configuration with problems is refused whole; until then a required key that is missing reads as "" (or an
 * empty list), so that the probe still exists for the references to it.
 */
public sealed interface ProbeSpec permits ProbeSpec.Tcp, ProbeSpec.Http, ProbeSpec.Exec, ProbeSpec.Postgres,
        ProbeSpec.Redis, ProbeSpec.SipOptions, ProbeSpec.Ami, ProbeSpec.Process {

    /** The values of {@code type}, in the order error messages list them. */
    List<String> TYPES = List.of("tcp", "http", "exec", "postgresql", "redis", "sip-options", "ami", "process");

    /** {@code tcp}, {@code http}, ...: the {@code type} key. */
    String typeName();

    /** The case of {@code cases} for this spec's type. */
    <R> R match(Cases<R> cases);

    /** One case per probe type. */
    interface Cases<R> {
        R tcp(Tcp spec);

        R http(Http spec);

        R exec(Exec spec);

        R postgres(Postgres spec);

        R redis(Redis spec);

        R sipOptions(SipOptions spec);

        R ami(Ami spec);

        R process(Process spec);
    }

    /** {@code tcp}: a TCP connection to {@code target} (host:port, [v6]:port). */
    record Tcp(String target) implements ProbeSpec {
        public Tcp {
            Objects.requireNonNull(target, "target");
        }

        @Override
        public String typeName() {
            return "tcp";
        }

        @Override
        public <R> R match(Cases<R> cases) {
            return cases.tcp(this);
        }
    }

    /** {@code http}: a GET of {@code url}, up on {@code expect-status} (default 200); {@code tls-verify} default true. */
    record Http(URI url, int expectStatus, boolean tlsVerify) implements ProbeSpec {
        public static final int DEFAULT_EXPECT_STATUS = 200;

        public Http {
            Objects.requireNonNull(url, "url");
        }

        @Override
        public String typeName() {
            return "http";
        }

        @Override
        public <R> R match(Cases<R> cases) {
            return cases.http(this);
        }
    }

    /** {@code exec}: {@code command}, the program and its arguments, run without a shell. */
    record Exec(List<String> command) implements ProbeSpec {
        public Exec {
            command = List.copyOf(command);
        }

        @Override
        public String typeName() {
            return "exec";
        }

        @Override
        public <R> R match(Cases<R> cases) {
            return cases.exec(this);
        }
    }

    /**
     * {@code postgresql}: the database at {@code url} (jdbc:postgresql://...), with optional credentials and lag
     * bounds, and the {@code peers}: the other nodes' databases, asked directly to tell a stale primary.
     * {@code promotionWatch}: how long a standby is watched closely, every {@code promotionWatchEvery}, once its
     * primary seems gone (its connection broke, its agent resigned the read-write VIP, its walreceiver stopped, or
     * {@code omlha-agent event} said so); zero turns the close watch off.
     */
    record Postgres(String url, Optional<String> user, Optional<String> password, Optional<Duration> maxLag,
            Optional<Long> maxLagBytes, List<PeerDatabase> peers, Duration promotionWatch, Duration promotionWatchEvery)
            implements ProbeSpec {
        public static final Duration DEFAULT_PROMOTION_WATCH = Duration.ofSeconds(90);
        public static final Duration DEFAULT_PROMOTION_WATCH_EVERY = Duration.ofMillis(20);

        public Postgres {
            Objects.requireNonNull(url, "url");
            Objects.requireNonNull(user, "user");
            Objects.requireNonNull(password, "password");
            Objects.requireNonNull(maxLag, "maxLag");
            Objects.requireNonNull(maxLagBytes, "maxLagBytes");
            Objects.requireNonNull(promotionWatch, "promotionWatch");
            Objects.requireNonNull(promotionWatchEvery, "promotionWatchEvery");
            peers = List.copyOf(peers);
        }

        /** With the default close watch: 90 s, every 20 ms. */
        public Postgres(String url, Optional<String> user, Optional<String> password, Optional<Duration> maxLag,
                Optional<Long> maxLagBytes, List<PeerDatabase> peers) {
            this(url, user, password, maxLag, maxLagBytes, peers, DEFAULT_PROMOTION_WATCH, DEFAULT_PROMOTION_WATCH_EVERY);
        }

        @Override
        public String typeName() {
            return "postgresql";
        }

        @Override
        public <R> R match(Cases<R> cases) {
            return cases.postgres(this);
        }

        /** Without the password. */
        @Override
        public String toString() {
            return "Postgres[url=" + url + ", user=" + user + ", password=" + password.map(p -> "***") + ", maxLag="
                    + maxLag + ", maxLagBytes=" + maxLagBytes + ", peers=" + peers + ", promotionWatch=" + promotionWatch
                    + ", promotionWatchEvery=" + promotionWatchEvery + ']';
        }
    }

    /** One of a postgresql probe's {@code peers}: its JDBC URL and the {@code host:port} it names. */
    record PeerDatabase(String hostPort, String jdbcUrl) {
        private static final String PREFIX = "jdbc:postgresql://";

        public PeerDatabase {
            Objects.requireNonNull(hostPort, "hostPort");
            Objects.requireNonNull(jdbcUrl, "jdbcUrl");
        }

        /** {@code jdbc:postgresql://192.0.2.12:5432/postgres}: the peer {@code 192.0.2.12:5432}. */
        public static PeerDatabase of(String jdbcUrl) {
            String rest = jdbcUrl.startsWith(PREFIX) ? jdbcUrl.substring(PREFIX.length()) : jdbcUrl;
            int slash = rest.indexOf('/');
            return new PeerDatabase(slash < 0 ? rest : rest.substring(0, slash), jdbcUrl);
        }
    }

    /**
     * {@code redis}: the node at {@code uri} (redis://, rediss://, redis-sentinel://, redis-socket://) and/or the
     * {@code sentinels} (host:port) that know it as {@code sentinel-master}.
     */
    record Redis(Optional<String> uri, Optional<String> sentinelMaster, List<String> sentinels) implements ProbeSpec {
        public Redis {
            Objects.requireNonNull(uri, "uri");
            Objects.requireNonNull(sentinelMaster, "sentinelMaster");
            sentinels = List.copyOf(sentinels);
        }

        @Override
        public String typeName() {
            return "redis";
        }

        @Override
        public <R> R match(Cases<R> cases) {
            return cases.redis(this);
        }
    }

    /** {@code sip-options}: a SIP OPTIONS request over UDP to {@code target} (host:port). */
    record SipOptions(String target) implements ProbeSpec {
        public SipOptions {
            Objects.requireNonNull(target, "target");
        }

        @Override
        public String typeName() {
            return "sip-options";
        }

        @Override
        public <R> R match(Cases<R> cases) {
            return cases.sipOptions(this);
        }
    }

    /** {@code ami}: Asterisk Manager Interface at {@code target} (host:port), logged in as {@code user}. */
    record Ami(String target, String user, String secret) implements ProbeSpec {
        public Ami {
            Objects.requireNonNull(target, "target");
            Objects.requireNonNull(user, "user");
            Objects.requireNonNull(secret, "secret");
        }

        @Override
        public String typeName() {
            return "ami";
        }

        @Override
        public <R> R match(Cases<R> cases) {
            return cases.ami(this);
        }

        /** Without the secret. */
        @Override
        public String toString() {
            return "Ami[target=" + target + ", user=" + user + ", secret=***]";
        }
    }

    /** {@code process}: the process named by {@code pidfile} (an absolute path) runs. */
    record Process(Path pidfile) implements ProbeSpec {
        public Process {
            Objects.requireNonNull(pidfile, "pidfile");
        }

        @Override
        public String typeName() {
            return "process";
        }

        @Override
        public <R> R match(Cases<R> cases) {
            return cases.process(this);
        }
    }
}

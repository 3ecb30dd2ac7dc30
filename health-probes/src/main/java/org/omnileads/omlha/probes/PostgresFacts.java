package org.omnileads.omlha.probes;

import java.util.Locale;

/**
 * What the {@code postgresql} probe saw of its server: the role and timeline; {@code lsn}, the current WAL insert
 * position on a primary, the replay position on a standby. On a standby also the {@code receiveLsn}, the replay lag
 * in bytes (received minus replayed) and seconds (0 when everything received is replayed), each {@code null} when
 * unknown, and whether its WAL receiver is {@code streaming}. {@code lagOk} is false only when a configured bound
 * ({@code max-lag}, {@code max-lag-bytes}) is exceeded.
 */
public record PostgresFacts(Role role, long timeline, String lsn, String receiveLsn, Long lagBytes, Double lagSeconds,
                            boolean streaming, boolean lagOk) implements ServiceFacts {

    public enum Role {
        PRIMARY, STANDBY;

        /** {@code primary} or {@code standby}, as status and messages say it. */
        public String text() {
            return name().toLowerCase(Locale.ROOT);
        }
    }
}

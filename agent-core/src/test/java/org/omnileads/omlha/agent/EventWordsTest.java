package org.omnileads.omlha.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class EventWordsTest {
    @Test
    void repmgrEventTypesAreKnownAndEverythingElseIsIgnored() {
        EventWords words = EventWords.parse("  repmgrd_failover_promote 2  1 standby_promote\tfoo ");
        assertEquals(List.of("repmgrd_failover_promote", "standby_promote"), words.known());
        assertEquals(List.of("2", "1", "foo"), words.unknown());
        assertEquals(new EventWords(List.of(), List.of()), EventWords.parse(""));
    }
}

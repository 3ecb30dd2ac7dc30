package org.omnileads.omlha.agent.migrate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.omnileads.omlha.agent.migrate.KeepalivedKeywords.Block;

/** Which words are keepalived's, which look like a misspelling of one, and which misspellings are read as meant. */
class KeepalivedKeywordsTest {

    @Test
    void editDistanceCountsAddedRemovedChangedAndSwappedLetters() {
        assertEquals(0, KeepalivedKeywords.editDistance("rise", "rise"));
        assertEquals(1, KeepalivedKeywords.editDistance("reise", "rise"));
        assertEquals(1, KeepalivedKeywords.editDistance("fal", "fall"));
        assertEquals(1, KeepalivedKeywords.editDistance("prioirty", "priority"));
        assertEquals(1, KeepalivedKeywords.editDistance("intreval", "interval"));
        assertEquals(2, KeepalivedKeywords.editDistance("intervl_", "interval"));
        assertEquals(4, KeepalivedKeywords.editDistance("fall", "rise"));
    }

    @Test
    void anUnknownWordNearAKeywordOfItsBlockGetsThatKeywordAsSuggestion() {
        assertEquals(List.of("rise"), KeepalivedKeywords.suggestions(Block.VRRP_SCRIPT, "reise"));
        assertEquals(List.of("priority"), KeepalivedKeywords.suggestions(Block.VRRP_INSTANCE, "priorty"));
        assertEquals(List.of("notification_email_from"),
                KeepalivedKeywords.suggestions(Block.GLOBAL_DEFS, "notification_emial_from"));
        assertEquals(List.of("vrrp_instance"), KeepalivedKeywords.suggestions(Block.TOP, "vrrp_instanse"));
    }

    @Test
    void keywordsOfOtherBlocksFarWordsAndKnownWordsGetNoSuggestion() {
        assertEquals(List.of(), KeepalivedKeywords.suggestions(Block.VRRP_SCRIPT, "rise"));
        assertEquals(List.of(), KeepalivedKeywords.suggestions(Block.VRRP_SCRIPT, "priorty"));
        assertEquals(List.of(), KeepalivedKeywords.suggestions(Block.VRRP_INSTANCE, "frobnicate"));
        // a short word is allowed one edit only: "ris" is one from "rise", "rs" two
        assertEquals(List.of("rise"), KeepalivedKeywords.suggestions(Block.VRRP_SCRIPT, "ris"));
        assertEquals(List.of(), KeepalivedKeywords.suggestions(Block.VRRP_SCRIPT, "rs"));
    }

    @Test
    void everyKeywordTheTemplateUsesIsKnown() {
        for (String keyword : List.of("notification_email", "notification_email_from", "smtp_server", "smtp_connect_timeout",
                "router_id", "vrrp_skip_check_adv_addr", "vrrp_garp_interval", "vrrp_gna_interval")) {
            assertTrue(KeepalivedKeywords.isKnown(Block.GLOBAL_DEFS, keyword), keyword);
        }
        for (String keyword : List.of("script", "interval", "fall", "rise")) {
            assertTrue(KeepalivedKeywords.isKnown(Block.VRRP_SCRIPT, keyword), keyword);
        }
        for (String keyword : List.of("state", "interface", "virtual_router_id", "priority", "advert_int", "authentication",
                "virtual_ipaddress", "track_script")) {
            assertTrue(KeepalivedKeywords.isKnown(Block.VRRP_INSTANCE, keyword), keyword);
        }
    }

    @Test
    void onlyAMisspeltRiseIsReadAsMeant() {
        assertEquals(Optional.of("rise"), KeepalivedKeywords.safeCorrection(Block.VRRP_SCRIPT, "reise"));
        // fall, interval, priority ... would change who holds a VIP or when: reported only
        assertEquals(Optional.empty(), KeepalivedKeywords.safeCorrection(Block.VRRP_SCRIPT, "fal"));
        assertEquals(Optional.empty(), KeepalivedKeywords.safeCorrection(Block.VRRP_SCRIPT, "intreval"));
        assertEquals(Optional.empty(), KeepalivedKeywords.safeCorrection(Block.VRRP_INSTANCE, "priorty"));
        assertEquals(Optional.empty(), KeepalivedKeywords.safeCorrection(Block.VRRP_SCRIPT, "rise"));
    }
}

package org.omnileads.omlha.vrrp.fsm;

/** How a router's last make-before-break handover went (see {@link VrrpRouter}). */
public enum Handover {
    /** No handover since the router last became MASTER. */
    NONE,
    /** Still holding the addresses, waiting for another master to be heard. */
    PENDING,
    /** Another router's advert was heard; the addresses were released then. */
    TAKEN,
    /** Nobody took over within the bound (or the link went down, or the stop could not wait): released anyway. */
    RELEASED_UNTAKEN,
    /** Nobody took over within the bound, and the router was told to keep the group: MASTER again. */
    KEPT_UNTAKEN
}

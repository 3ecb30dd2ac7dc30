package org.omnileads.omlha.vrrp.fsm;

/**
 * What a {@link VrrpRouter} asks the I/O side to do. The router calls these synchronously from inside its own
 * methods, after it has updated its state and timer, so an action that reads the router sees the new state
 * and a re-entrant {@link VrrpRouter#onTimer} finds nothing due.
 *
 * <p>Order on becoming MASTER (keepalived's, which RFC 5798 §6.4.1 allows): {@link #sendAdvert},
 * {@link #attachVips}, {@link #announceVips}, then {@link #transition}. On leaving MASTER,
 * {@link #releaseVips} comes before {@link #transition}. {@code transition} is called exactly once for
 * every state change, after the other actions of that change.
 *
 * <p>Implementations should not throw: a failed send or address change is the I/O side's to log and count.
 * If one does throw, the exception reaches the caller of the router method, whose state has already changed.
 */
public interface RouterActions {

    /**
     * Sends one ADVERTISEMENT.
     *
     * @param priority the priority to advertise; 0 when the master is leaving (RFC 5798 §6.4.3)
     * @param advertIntervalCentis the advert interval to advertise, in centiseconds (v2: a multiple of 100)
     */
    void sendAdvert(int priority, int advertIntervalCentis);

    /** Adds the virtual addresses to the interface. */
    void attachVips();

    /** Starts the gratuitous ARP / unsolicited neighbour advertisement burst for the virtual addresses. */
    void announceVips();

    /** Removes the virtual addresses from the interface. */
    void releaseVips();

    /**
     * Reports a state change, once, after the change's other actions.
     *
     * @param reason why, for people: {@code "higher priority 200 from 192.0.2.3"}
     */
    void transition(VrrpState from, VrrpState to, String reason);
}

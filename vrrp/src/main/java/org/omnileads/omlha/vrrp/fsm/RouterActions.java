package org.omnileads.omlha.vrrp.fsm;

/**
 * What a {@link VrrpRouter} asks the I/O side to do. The router calls these synchronously from inside its own
 * methods, after it has updated its state and timer, so an action that reads the router sees the new state
 * and a re-entrant {@link VrrpRouter#onTimer} finds nothing due.
 *
 * <p>Order on becoming MASTER: {@link #attachVips}, {@link #announceVips}, {@link #sendAdvert}, then
 * {@link #transition} (the RFC and keepalived advertise first; the gratuitous ARPs go first here so that an old master
 * handing over, which releases on hearing our advert, never leaves the neighbours pointing at it after it released). On leaving MASTER for a higher master, or
 * because our link is down, {@link #releaseVips} comes before {@link #transition}; when the router gives the group up
 * on its own (make-before-break) it comes later, once the new master is heard, as an input of its own. {@code transition} is called exactly once for
 * every state change, after the other actions of that change.
 *
 * <p>Every action carries the {@code now} of the input that caused it, so the I/O side keeps no clock of its own.
 *
 * <p>Implementations should not throw: a failed send or address change is the I/O side's to log and count. If one
 * does throw, the router still runs the change's remaining actions and reports the transition, so its state and
 * what the I/O side was told never disagree; the first exception then reaches the caller of the router method.
 */
public interface RouterActions {

    /**
     * Sends one ADVERTISEMENT.
     *
     * @param priority the priority to advertise; 0 when the master is leaving (RFC 5798 §6.4.3)
     * @param advertIntervalCentis the advert interval to advertise, in centiseconds (v2: a multiple of 100)
     */
    void sendAdvert(long now, int priority, int advertIntervalCentis);

    /** Adds the virtual addresses to the interface. */
    void attachVips(long now);

    /** Starts the gratuitous ARP / unsolicited neighbour advertisement burst for the virtual addresses. */
    void announceVips(long now);

    /** Removes the virtual addresses from the interface. */
    void releaseVips(long now);

    /**
     * Reports a state change, once, after the change's other actions.
     *
     * @param reason why, for people: {@code "higher priority 200 from 192.0.2.3"}
     */
    void transition(long now, VrrpState from, VrrpState to, String reason);
}

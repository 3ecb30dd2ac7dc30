package org.omnileads.omlha.agent.notify;

import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.time.Duration;
import java.util.Date;
import java.util.List;
import java.util.Properties;

/** Mail through the SMTP relay of {@code omlha.notify.email} (the installers' {@code oml_ha_email}), with Angus Mail. */
final class EmailDelivery implements Delivery {
    private final Session session;
    private final String from;
    private final List<String> to;
    private final String relay;

    EmailDelivery(String relay, String from, List<String> to, Duration timeout) {
        int colon = relay.lastIndexOf(':');
        Properties properties = new Properties();
        properties.put("mail.smtp.host", relay.substring(0, colon).replace("[", "").replace("]", ""));
        properties.put("mail.smtp.port", relay.substring(colon + 1));
        String millis = Long.toString(timeout.toMillis());
        properties.put("mail.smtp.connectiontimeout", millis);
        properties.put("mail.smtp.timeout", millis);
        properties.put("mail.smtp.writetimeout", millis);
        this.session = Session.getInstance(properties);
        this.from = from;
        this.to = List.copyOf(to);
        this.relay = relay;
    }

    @Override
    public String name() {
        return "email via " + relay;
    }

    @Override
    public void deliver(Notification n) throws MessagingException {
        MimeMessage message = new MimeMessage(session);
        message.setFrom(new InternetAddress(from));
        for (String recipient : to) {
            message.addRecipient(Message.RecipientType.TO, new InternetAddress(recipient));
        }
        message.setSubject(n.subject(), "UTF-8");
        message.setText(n.body(), "UTF-8");
        message.setSentDate(Date.from(n.at()));
        Transport.send(message);
    }
}

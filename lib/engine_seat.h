/*
 * The user's descriptor: which socket is behind it.  A winning clone is
 * seated there with dup3(2); a socket left in IPv4-mapped mode is replaced
 * by a fresh one before a native attempt; and whether clones may be made
 * at all is learnt here, before the first attempt changes the socket.
 */
#ifndef CX_ENGINE_SEAT_H
#define CX_ENGINE_SEAT_H

struct run;
struct sockstate;

/*
 * Put socket fd on the user's descriptor number, with the file status
 * flags given and the user's FD_CLOEXEC; fd is closed.  The registry
 * record follows the socket.  0 or errno.
 */
int	run_move_to_user_fd(struct run *r, int fd, int flags);

/*
 * Linux keeps an AF_INET6 TCP socket in IPv4-mapped mode after a mapped
 * attempt, even through connect(AF_UNSPEC): a native IPv6 connect on it
 * then never completes.  Before such an attempt the user's socket is
 * replaced by a fresh one made like it; 0, or the errno that prevented it
 * (the attempt then fails with it at once rather than hang).
 */
int	run_renew_user_socket(struct run *r);

/*
 * A list that mixes IPv4-mapped and native IPv6 destinations may need a
 * fresh socket mid-run (run_renew_user_socket): learn how to make one now,
 * while the socket is as the caller left it.
 */
void	run_prepare_renewal(struct run *r, const struct sockstate *st);

/*
 * Learn, before the first attempt changes the socket (its port, its MSS),
 * whether later attempts may run on clones of it.
 */
void	run_decide_clones(struct run *r);

#endif /* !CX_ENGINE_SEAT_H */

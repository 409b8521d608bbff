/*
 * The user's descriptor: which socket is behind it.  A winning clone is
 * seated there with dup3(2); a socket left in IPv4-mapped mode is replaced
 * by a fresh one before a native attempt; and whether clones may be made,
 * from what was noted before the first attempt changed the socket.
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
 * The file status flags a socket moved onto the user's descriptor takes:
 * the descriptor's own as they are now once the run was handed back to
 * the application (parked, or an observer ran), which may have changed
 * them (cleared O_NONBLOCK, say); before that, those read when the call
 * began.  -1 with errno when the descriptor cannot be asked.
 */
int	run_user_fd_flags(struct run *r);

/*
 * Around a start on the user's descriptor once the run was handed back
 * (as above), in a run that waits in poll(2) or returns to an event loop
 * rather than in the kernel's blocking connect(2): such a start never
 * waits, so O_NONBLOCK, if the application cleared it, is set for the
 * start alone.  run_user_fd_nonblock returns the flags that
 * run_user_fd_restore puts back after the start, or -1 for none.
 */
int	run_user_fd_nonblock(struct run *r);
void	run_user_fd_restore(struct run *r, int flags);

/*
 * Linux keeps an AF_INET6 TCP socket in IPv4-mapped mode after a mapped
 * attempt, even through connect(AF_UNSPEC): a native IPv6 connect on it
 * then never completes.  Before such an attempt the user's socket is
 * replaced by a fresh one made like it; 0, or the errno that prevented it
 * (the attempt then fails with it at once rather than hang).
 */
int	run_renew_user_socket(struct run *r);

/*
 * Before the first attempt changes the socket (its address and port, its
 * MSS, window clamp, congestion control): note what a fresh socket or a
 * clone must be made from (struct sockclone_early), and what a later call
 * needs should this run leave it in IPv4-mapped mode (struct
 * sockclone_before).  A list that mixes IPv4-mapped and native IPv6
 * destinations may need a fresh socket mid-run (run_renew_user_socket):
 * its recipe is learnt now, while the socket is as the caller left it.
 */
void	run_note_user_socket(struct run *r, const struct sockstate *st);

/*
 * Whether later attempts may run on clones: not with one destination, a
 * parallel cap of 1, or no note; else CLONES_UNLEARNT, the recipe left
 * for run_learn_clones().
 */
void	run_decide_clones(struct run *r);

/*
 * Learn the recipe, when the first clone is due (HACKING.md, "Clones"):
 * r->clones becomes CLONES_OK or CLONES_NO, and EINPROGRESS is returned.
 * Any other value is the verdict of the attempt on the user's socket,
 * which ended while the recipe was read: nothing is learnt, and the
 * caller ends that attempt with it.
 */
int	run_learn_clones(struct run *r);

#endif /* !CX_ENGINE_SEAT_H */

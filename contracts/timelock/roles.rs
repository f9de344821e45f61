//! Who may do what with the timelock.
//!
//! - The `governor` (the governance contract) queues and cancels batches. It is unset at
//!   instantiation, because the governor and the timelock each need the other's address:
//!   the `deployer` (the instantiating account) binds it once, which also ends the
//!   deployer's role. Afterwards only a batch can replace it.
//! - The `guardian` can only cancel batches; it never starts anything. It may cancel
//!   every batch except a *guardian replacement*: a batch whose every action replaces a
//!   guardian by a different account on a contract this timelock governs (see
//!   [`Roles::ensure_may_cancel`]). Otherwise a rogue guardian could cancel its own
//!   removal forever; and since a replacement travels alone, no other action can hide
//!   behind one (audit H-1).
//!
//! Plain data: the caller comes in as an argument and the event to emit comes out; what
//! other contracts answer comes in through a closure.

use crate::events::GovernorChanged;
use crate::self_call::SET_GUARDIAN_SELECTOR;
use carrack_interfaces::{Action, GuardianChanged, TimelockError};
use ink::primitives::AccountId;
use ink::scale::DecodeAll;

/// Selector of `Governed::set_guardian` (pool, oracle).
pub const GOVERNED_SET_GUARDIAN_SELECTOR: [u8; 4] = ink::selector_bytes!("Governed::set_guardian");

/// What a batch's callee answers when the guardian's cancel asks for its roles
/// (`Governed::admin_roles`, read while the guardian cancels).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CalleeRoles {
    /// It names this timelock as its governance; `guardian` is its guardian now.
    Governed {
        /// The callee's current guardian.
        guardian: AccountId,
    },
    /// It names another account as its governance.
    NotGoverned,
    /// The read failed: not a contract, no such message, trapped, or an undecodable
    /// answer.
    Unreadable,
}

/// The account `action` makes guardian, if it has the shape of a guardian replacement:
/// the timelock's own `set_guardian` (callee = `own_account`) or `Governed::set_guardian`
/// on any other callee, carrying no value, its input exactly one encoded account (as
/// ink!'s dispatcher decodes it). `None` for anything else.
pub fn new_guardian(action: &Action, own_account: AccountId) -> Option<AccountId> {
    let setter = if action.callee == own_account {
        SET_GUARDIAN_SELECTOR
    } else {
        GOVERNED_SET_GUARDIAN_SELECTOR
    };
    if action.selector != setter || action.transferred_value != 0 {
        return None;
    }
    AccountId::decode_all(&mut action.input.as_slice()).ok()
}

/// The timelock's roles.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
pub struct Roles {
    /// The instantiating account, until it binds the governor.
    pub deployer: Option<AccountId>,
    /// Queues and cancels batches; `None` until bound.
    pub governor: Option<AccountId>,
    /// May cancel batches, nothing else.
    pub guardian: AccountId,
}

impl Roles {
    /// Roles right after instantiation: no governor yet.
    pub fn new(deployer: AccountId, guardian: AccountId) -> Self {
        Self {
            deployer: Some(deployer),
            governor: None,
            guardian,
        }
    }

    /// The deployer binds the first governor, once; the deployer role ends with it.
    pub fn bind_governor(
        &mut self,
        caller: AccountId,
        governor: AccountId,
    ) -> Result<GovernorChanged, TimelockError> {
        if self.governor.is_some() {
            return Err(TimelockError::GovernorAlreadyBound);
        }
        if self.deployer != Some(caller) {
            return Err(TimelockError::NotDeployer);
        }
        self.deployer = None;
        self.governor = Some(governor);
        Ok(GovernorChanged {
            previous: None,
            new: governor,
        })
    }

    /// `Ok` when `caller` is the governor (never while unbound).
    pub fn ensure_governor(&self, caller: AccountId) -> Result<(), TimelockError> {
        if self.governor != Some(caller) {
            return Err(TimelockError::NotGovernor);
        }
        Ok(())
    }

    /// `Ok` when `caller` is the governor or the guardian.
    pub fn ensure_governor_or_guardian(&self, caller: AccountId) -> Result<(), TimelockError> {
        if self.governor != Some(caller) && self.guardian != caller {
            return Err(TimelockError::NotGovernorOrGuardian);
        }
        Ok(())
    }

    /// `Ok` when `caller` may cancel a batch of `actions` on the timelock `own_account`:
    /// the governor always; the guardian unless the batch is a *guardian replacement*,
    /// i.e. it has actions and every one of them
    ///
    /// 1. has the shape of a guardian setter ([`new_guardian`]): the timelock's own
    ///    `set_guardian`, or `Governed::set_guardian` on another callee, no value, one
    ///    account as input;
    /// 2. is on a contract this timelock governs: the timelock itself, or a callee whose
    ///    `Governed::admin_roles` (asked through `roles_of`) names the timelock as its
    ///    governance (the pool and the oracle once they handed governance over);
    /// 3. makes guardian an account *different* from that contract's current guardian
    ///    (the timelock's own guardian for itself, the callee's for the callee).
    ///
    /// Any other action (a parameter change, an upgrade, a no-op replacement, a call to
    /// a contract governed by someone else) leaves the whole batch cancelable, so a
    /// guardian replacement must travel alone. Each condition is checked for every
    /// action before any other contract is read, so a batch with one ordinary action is
    /// decided without a call. A batch of guardian setters whose callee's roles cannot
    /// be read is refused with `GuardianCheckFailed(index)`: an unreadable callee may not
    /// be made to look like an ungoverned one (for example by calling at the maximum
    /// call depth). Errors: `NotGovernorOrGuardian`, `GuardianChangeNotCancelable`,
    /// `GuardianCheckFailed`.
    ///
    /// A callee that claims the timelock as governance without being governed by it can
    /// only make a batch of its own setter calls non-cancelable: the timelock calls it
    /// with no value, without re-entry, and lends it no authority elsewhere.
    pub fn ensure_may_cancel(
        &self,
        caller: AccountId,
        actions: &[Action],
        own_account: AccountId,
        mut roles_of: impl FnMut(AccountId) -> CalleeRoles,
    ) -> Result<(), TimelockError> {
        self.ensure_governor_or_guardian(caller)?;
        if self.governor == Some(caller) || actions.is_empty() {
            return Ok(());
        }
        // Without calls first: the shape, and the timelock's own no-op replacements.
        for action in actions {
            match new_guardian(action, own_account) {
                None => return Ok(()),
                Some(guardian) if action.callee == own_account && guardian == self.guardian => {
                    return Ok(())
                }
                Some(_) => {}
            }
        }
        // Then the other callees' roles (at most `MAX_ACTIONS` reads).
        let mut unreadable = None;
        for (index, action) in (0u8..).zip(actions) {
            if action.callee == own_account {
                continue;
            }
            match roles_of(action.callee) {
                CalleeRoles::Governed { guardian } => {
                    if new_guardian(action, own_account) == Some(guardian) {
                        return Ok(());
                    }
                }
                CalleeRoles::NotGoverned => return Ok(()),
                CalleeRoles::Unreadable => {
                    unreadable.get_or_insert(index);
                }
            }
        }
        match unreadable {
            Some(index) => Err(TimelockError::GuardianCheckFailed(index)),
            None => Err(TimelockError::GuardianChangeNotCancelable),
        }
    }

    /// Replaces the governor (a batch's self-call; the caller is checked by the shell).
    /// Also ends any leftover deployer role, so nobody can bind over it later.
    pub fn set_governor(&mut self, governor: AccountId) -> GovernorChanged {
        let previous = self.governor.replace(governor);
        self.deployer = None;
        GovernorChanged {
            previous,
            new: governor,
        }
    }

    /// Replaces the guardian (a batch's self-call; the caller is checked by the shell).
    pub fn set_guardian(&mut self, guardian: AccountId) -> GuardianChanged {
        let previous = self.guardian;
        self.guardian = guardian;
        GuardianChanged {
            previous,
            new: guardian,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DEPLOYER: AccountId = AccountId([1; 32]);
    const GUARDIAN: AccountId = AccountId([2; 32]);
    const GOVERNOR: AccountId = AccountId([3; 32]);
    const OTHER: AccountId = AccountId([4; 32]);

    #[test]
    fn only_the_deployer_binds_the_governor_and_only_once() {
        let mut roles = Roles::new(DEPLOYER, GUARDIAN);
        assert_eq!(
            roles.ensure_governor(GOVERNOR),
            Err(TimelockError::NotGovernor)
        );
        assert_eq!(
            roles.bind_governor(OTHER, GOVERNOR),
            Err(TimelockError::NotDeployer)
        );
        assert_eq!(
            roles.bind_governor(GUARDIAN, GOVERNOR),
            Err(TimelockError::NotDeployer)
        );
        assert_eq!(
            roles.bind_governor(DEPLOYER, GOVERNOR),
            Ok(GovernorChanged {
                previous: None,
                new: GOVERNOR
            })
        );
        assert_eq!(roles.deployer, None);
        assert_eq!(roles.governor, Some(GOVERNOR));
        assert_eq!(
            roles.bind_governor(DEPLOYER, OTHER),
            Err(TimelockError::GovernorAlreadyBound)
        );
        assert_eq!(
            roles.bind_governor(GOVERNOR, OTHER),
            Err(TimelockError::GovernorAlreadyBound)
        );
        assert_eq!(roles.governor, Some(GOVERNOR));
    }

    #[test]
    fn the_governor_queues_and_the_guardian_only_cancels() {
        let mut roles = Roles::new(DEPLOYER, GUARDIAN);
        // Unbound: nobody is the governor, but the guardian can already cancel.
        assert_eq!(roles.ensure_governor_or_guardian(GUARDIAN), Ok(()));
        assert_eq!(
            roles.ensure_governor_or_guardian(DEPLOYER),
            Err(TimelockError::NotGovernorOrGuardian)
        );
        roles.bind_governor(DEPLOYER, GOVERNOR).unwrap();
        assert_eq!(roles.ensure_governor(GOVERNOR), Ok(()));
        assert_eq!(
            roles.ensure_governor(GUARDIAN),
            Err(TimelockError::NotGovernor)
        );
        assert_eq!(
            roles.ensure_governor(DEPLOYER),
            Err(TimelockError::NotGovernor)
        );
        assert_eq!(roles.ensure_governor_or_guardian(GOVERNOR), Ok(()));
        assert_eq!(roles.ensure_governor_or_guardian(GUARDIAN), Ok(()));
        assert_eq!(
            roles.ensure_governor_or_guardian(OTHER),
            Err(TimelockError::NotGovernorOrGuardian)
        );
    }

    #[test]
    fn setters_report_what_changed() {
        let mut roles = Roles::new(DEPLOYER, GUARDIAN);
        roles.bind_governor(DEPLOYER, GOVERNOR).unwrap();
        assert_eq!(
            roles.set_governor(OTHER),
            GovernorChanged {
                previous: Some(GOVERNOR),
                new: OTHER
            }
        );
        assert_eq!(
            roles.ensure_governor(GOVERNOR),
            Err(TimelockError::NotGovernor)
        );
        assert_eq!(roles.ensure_governor(OTHER), Ok(()));
        assert_eq!(
            roles.set_guardian(OTHER),
            GuardianChanged {
                previous: GUARDIAN,
                new: OTHER
            }
        );
        assert_eq!(roles.guardian, OTHER);
        assert_eq!(
            roles.ensure_governor_or_guardian(GUARDIAN),
            Err(TimelockError::NotGovernorOrGuardian)
        );
    }

    #[test]
    fn set_governor_ends_a_leftover_deployer_role() {
        let mut roles = Roles::new(DEPLOYER, GUARDIAN);
        roles.set_governor(GOVERNOR);
        assert_eq!(roles.deployer, None);
        assert_eq!(
            roles.bind_governor(DEPLOYER, OTHER),
            Err(TimelockError::GovernorAlreadyBound)
        );
    }

    // Audit H-1. Written before the fix (with the old three-argument signature, which
    // read no callee's roles), four of these failed on the old rule, which refused with
    // `GuardianChangeNotCancelable` any batch holding any guardian setter: the mixed
    // batches, the no-op replacement and the value/extra-byte replacements.

    const TIMELOCK: AccountId = AccountId([9; 32]);
    const POOL: AccountId = AccountId([8; 32]);
    const ORACLE: AccountId = AccountId([7; 32]);
    /// A contract that names someone else as its governance.
    const FOREIGN: AccountId = AccountId([5; 32]);
    /// The pool's and the oracle's guardian (the timelock's is `GUARDIAN`).
    const POOL_GUARDIAN: AccountId = AccountId([10; 32]);
    const EVIL: AccountId = AccountId([6; 32]);
    const SET_ORACLE: [u8; 4] = ink::selector_bytes!("set_oracle");
    const SET_CODE_HASH: [u8; 4] = ink::selector_bytes!("Governed::set_code_hash");

    fn call(callee: AccountId, selector: [u8; 4], input: &AccountId) -> Action {
        Action {
            callee,
            selector,
            input: ink::scale::Encode::encode(input),
            transferred_value: 0,
        }
    }

    fn set_guardian(callee: AccountId, guardian: &AccountId) -> Action {
        if callee == TIMELOCK {
            call(callee, SET_GUARDIAN_SELECTOR, guardian)
        } else {
            call(callee, GOVERNED_SET_GUARDIAN_SELECTOR, guardian)
        }
    }

    fn bound() -> Roles {
        let mut roles = Roles::new(DEPLOYER, GUARDIAN);
        roles.bind_governor(DEPLOYER, GOVERNOR).unwrap();
        roles
    }

    /// The chain as `Governed::admin_roles` shows it: the timelock governs the pool and
    /// the oracle (guardian `POOL_GUARDIAN`); `FOREIGN` is governed by someone else; any
    /// other callee cannot be read.
    fn chain(callee: AccountId) -> CalleeRoles {
        match callee {
            POOL | ORACLE => CalleeRoles::Governed {
                guardian: POOL_GUARDIAN,
            },
            FOREIGN => CalleeRoles::NotGoverned,
            _ => CalleeRoles::Unreadable,
        }
    }

    /// The guardian's answer for `actions`, and how many callees' roles were read.
    fn guardian_cancels(roles: &Roles, actions: &[Action]) -> (Result<(), TimelockError>, u32) {
        let mut reads = 0;
        let answer = roles.ensure_may_cancel(GUARDIAN, actions, TIMELOCK, |callee| {
            reads += 1;
            chain(callee)
        });
        (answer, reads)
    }

    #[test]
    fn a_no_op_guardian_change_does_not_switch_off_the_veto() {
        let roles = bound();
        let batches = [
            // The audit's batches: a no-op replacement beside the harm.
            vec![
                set_guardian(POOL, &POOL_GUARDIAN),
                call(POOL, SET_ORACLE, &EVIL),
            ],
            vec![
                set_guardian(TIMELOCK, &GUARDIAN),
                call(POOL, SET_CODE_HASH, &EVIL),
            ],
            // Even a real replacement cannot carry anything else.
            vec![
                set_guardian(TIMELOCK, &OTHER),
                set_guardian(POOL, &OTHER),
                call(POOL, SET_ORACLE, &EVIL),
            ],
        ];
        for actions in &batches {
            assert_eq!(
                guardian_cancels(&roles, actions),
                (Ok(()), 0),
                "{actions:?}"
            );
        }
    }

    #[test]
    fn a_no_op_replacement_alone_is_cancelable() {
        let roles = bound();
        assert_eq!(
            guardian_cancels(&roles, &[set_guardian(TIMELOCK, &GUARDIAN)]),
            (Ok(()), 0)
        );
        // The pool's guardian made guardian again; the replacement by the timelock's
        // guardian of a pool guarded by someone else, in contrast, is a replacement.
        assert_eq!(
            guardian_cancels(&roles, &[set_guardian(POOL, &POOL_GUARDIAN)]),
            (Ok(()), 1)
        );
        assert_eq!(
            guardian_cancels(&roles, &[set_guardian(POOL, &GUARDIAN)]),
            (Err(TimelockError::GuardianChangeNotCancelable), 1)
        );
        // One no-op among real replacements makes the whole batch cancelable.
        let partly = [
            set_guardian(POOL, &OTHER),
            set_guardian(ORACLE, &POOL_GUARDIAN),
        ];
        assert_eq!(guardian_cancels(&roles, &partly), (Ok(()), 2));
    }

    #[test]
    fn only_exact_guardian_setters_count() {
        let roles = bound();
        let mut paying = set_guardian(POOL, &OTHER);
        paying.transferred_value = 1;
        let mut long = set_guardian(POOL, &OTHER);
        long.input.push(0);
        let mut short = set_guardian(TIMELOCK, &OTHER);
        short.input.pop();
        let cases = [
            paying,
            long,
            short,
            // the timelock's setter selector on another contract, and the other way round
            call(POOL, SET_GUARDIAN_SELECTOR, &OTHER),
            call(TIMELOCK, GOVERNED_SET_GUARDIAN_SELECTOR, &OTHER),
        ];
        for action in cases {
            assert_eq!(new_guardian(&action, TIMELOCK), None, "{action:?}");
            assert_eq!(guardian_cancels(&roles, &[action]), (Ok(()), 0));
        }
        assert_eq!(
            new_guardian(&set_guardian(POOL, &OTHER), TIMELOCK),
            Some(OTHER)
        );
        assert_eq!(
            new_guardian(&set_guardian(TIMELOCK, &OTHER), TIMELOCK),
            Some(OTHER)
        );
    }

    #[test]
    fn a_replacement_on_a_contract_governed_by_someone_else_is_cancelable() {
        let roles = bound();
        let actions = [set_guardian(POOL, &OTHER), set_guardian(FOREIGN, &OTHER)];
        assert_eq!(guardian_cancels(&roles, &actions), (Ok(()), 2));
    }

    #[test]
    fn an_unreadable_callee_does_not_make_a_replacement_cancelable() {
        let roles = bound();
        let unknown = AccountId([11; 32]);
        let actions = [set_guardian(POOL, &OTHER), set_guardian(unknown, &OTHER)];
        assert_eq!(
            guardian_cancels(&roles, &actions),
            (Err(TimelockError::GuardianCheckFailed(1)), 2)
        );
        // ... but any answer that shows the batch cancelable still wins.
        let actions = [set_guardian(unknown, &OTHER), set_guardian(FOREIGN, &OTHER)];
        assert_eq!(guardian_cancels(&roles, &actions), (Ok(()), 2));
    }

    #[test]
    fn a_replacement_by_another_account_travels_alone_and_is_not_cancelable() {
        let roles = bound();
        let batches = [
            vec![set_guardian(TIMELOCK, &OTHER)],
            vec![set_guardian(POOL, &OTHER)],
            vec![
                set_guardian(TIMELOCK, &OTHER),
                set_guardian(POOL, &OTHER),
                set_guardian(ORACLE, &OTHER),
            ],
        ];
        for actions in &batches {
            let (answer, _) = guardian_cancels(&roles, actions);
            assert_eq!(answer, Err(TimelockError::GuardianChangeNotCancelable));
            // The governor cancels anything, an outsider nothing; neither reads a callee.
            let refuse_reads = |_| -> CalleeRoles { unreachable!("no read needed") };
            assert_eq!(
                roles.ensure_may_cancel(GOVERNOR, actions, TIMELOCK, refuse_reads),
                Ok(())
            );
            assert_eq!(
                roles.ensure_may_cancel(OTHER, actions, TIMELOCK, refuse_reads),
                Err(TimelockError::NotGovernorOrGuardian)
            );
        }
        // A batch without actions (unknown, executed or canceled) leaves the answer to
        // the batch's record.
        assert_eq!(guardian_cancels(&roles, &[]), (Ok(()), 0));
    }

    /// Liveness: a rogue guardian cancels every ordinary batch, but not the one that
    /// replaces it everywhere; once it executed, the old guardian cancels nothing and the
    /// new one has the whole veto.
    #[test]
    fn governance_replaces_a_rogue_guardian() {
        let mut roles = bound();
        let ordinary = [call(POOL, SET_ORACLE, &EVIL)];
        assert_eq!(guardian_cancels(&roles, &ordinary), (Ok(()), 0));
        let replace = [
            set_guardian(TIMELOCK, &OTHER),
            set_guardian(POOL, &OTHER),
            set_guardian(ORACLE, &OTHER),
        ];
        assert_eq!(
            guardian_cancels(&roles, &replace),
            (Err(TimelockError::GuardianChangeNotCancelable), 2)
        );
        // The batch executes: the timelock's own action through `set_guardian`.
        roles.set_guardian(OTHER);
        assert_eq!(
            roles.ensure_may_cancel(GUARDIAN, &ordinary, TIMELOCK, chain),
            Err(TimelockError::NotGovernorOrGuardian)
        );
        assert_eq!(
            roles.ensure_may_cancel(OTHER, &ordinary, TIMELOCK, chain),
            Ok(())
        );
    }
}

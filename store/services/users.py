"""Registered users."""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import func, select
from sqlmodel import Session, col

from ..actions import USER_ACTIONS, Subject, offer
from ..errors import Conflict, InvalidInput
from ..models import User
from ..names import check_email
from ..permissions import ADD_USERS, require_support, require_writable
from ..policy import USER_NAME_MAX
from ..rows import ident
from ..text import check_text
from ..views import UserView
from .base import ServiceBase, Tx, reads


def user_view(u: User) -> UserView:
    return UserView(id=ident(u), email=u.email, name=u.name, support=u.support)


class UserService(ServiceBase):
    def add_user(self, email: str, name: str, *, support: bool = False) -> UserView:
        """Register a user. On an empty store no caller is needed and the user is support."""
        require_writable(self.readonly)
        email = check_email(email)
        name = " ".join(check_text(name or "", "a user's name").split())
        if not name or len(name) > USER_NAME_MAX:
            raise InvalidInput(f"a user needs a name of 1 to {USER_NAME_MAX} characters")

        def body(s: Session) -> UserView:
            now = self.store.now(s)
            first = (s.scalar(select(func.count()).select_from(User)) or 0) == 0
            actor = None
            if not first:
                actor = self._tx(s, now).user
                require_support(ADD_USERS, bool(actor and actor.support))
            if s.scalars(select(User).where(col(User.email) == email)).first():
                raise Conflict(f"user {email} is already registered")
            user = User(email=email, name=name, support=support or first, created_at=now)
            s.add(user)
            s.flush()
            Tx(s, now, actor).event("user.added", path=email,
                                    detail={"email": email, "support": user.support})
            return user_view(user)

        return self.store.run(body, write=True)

    @reads
    def me(self, t: Tx) -> UserView | None:
        """The caller, with what they may do as such (create contracts, handle requests…)."""
        if t.user is None:
            return None
        subject = Subject(readonly=self.readonly, support=t.is_support)
        return replace(user_view(t.user), offer=offer(subject, USER_ACTIONS))

    @reads
    def list_users(self, t: Tx) -> list[UserView]:
        users = t.s.scalars(select(User).order_by(col(User.email))).all()
        return [user_view(u) for u in users]

    def has_users(self) -> bool:
        return bool(self.store.run(
            lambda s: s.scalar(select(func.count()).select_from(User)), write=False))

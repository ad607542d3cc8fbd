"""The order service: placing orders and carrying on unfinished ones. It owns each unit of
work and hands runs to the dispatcher only after the commit that made them possible."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError

from persistence.database import Database
from persistence.models import Order
from persistence.repositories import kept_files, leases
from persistence.repositories import orders as repo
from server.images import CheckedImage
from server.schemas import OrderCreate
from tools import audit
from tools.access import Principal
from tools.context import RunDispatcher
from tools.log_context import current


@dataclass
class OrderService:
    db: Database
    dispatcher: RunDispatcher

    def place(
        self,
        principal: Principal,
        body: OrderCreate,
        image: CheckedImage | None,
        idempotency_key: str | None,
    ) -> tuple[Order, bool]:
        """Create the order, its session and its reference image in one transaction, then
        start its run.

        Returns the order and whether it is new (False: an earlier POST with the same
        Idempotency-Key made it).
        """
        if idempotency_key:
            existing = self._by_key(principal, idempotency_key)
            if existing is not None:
                return existing, False
        try:
            with self.db.session() as session:
                order = repo.add_order(
                    session,
                    role=principal.role,
                    customer_sub=principal.sub,
                    customer_name=body.customer.name,
                    customer_email=body.customer.email,
                    customer_phone=body.customer.phone,
                    product=body.product,
                    options=body.options,
                    quantity=body.quantity,
                    brief=body.brief,
                    reference_image=image.name if image else None,
                    idempotency_key=idempotency_key,
                    dispatched_at=leases.QUEUED_NOW,
                )
                if image is not None:
                    kept_files.keep(session, order.id, image.name, image.data, image.media_type)
                if principal.role in audit.AUDITED_ROLES:  # staff placing an order for someone
                    arguments = {"order_id": str(order.id), "product": body.product}
                    audit.append(
                        session,
                        principal,
                        "place_order",
                        arguments,
                        "ok",
                        request_id=current("request_id"),
                    )
        except IntegrityError:
            # Two POSTs with one key raced; the other one's order is the answer.
            existing = self._by_key(principal, idempotency_key or "")
            if existing is None:
                raise
            return existing, False
        self.dispatcher.run(order.id)
        return order, True

    def _by_key(self, principal: Principal, key: str) -> Order | None:
        with self.db.session() as session:
            return repo.find_by_idempotency_key(session, principal.sub, key)

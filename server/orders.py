"""The order service: what the order routes call. It owns each unit of work and hands runs
to the dispatcher only after the commit that made them possible."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.exc import IntegrityError

from graphs.order.state import ReviewDecision
from persistence.database import Database
from persistence.models import Order, OrderStatus
from persistence.repositories import orders as repo
from server.dispatch import Dispatcher
from server.images import CheckedImage, store_image
from server.schemas import OrderCreate, ReviewIn
from tools.access import Principal
from tools.errors import Conflict, NotFound


@dataclass
class OrderService:
    db: Database
    dispatcher: Dispatcher
    data_dir: Path

    def place(
        self,
        principal: Principal,
        body: OrderCreate,
        image: CheckedImage | None,
        idempotency_key: str | None,
    ) -> tuple[Order, bool]:
        """Create the order and its session in one transaction, then start its run.

        Returns the order and whether it is new (False: an earlier POST with the same
        Idempotency-Key made it).
        """
        if idempotency_key:
            existing = self._by_key(principal, idempotency_key)
            if existing is not None:
                return existing, False
        reference = store_image(image, self.data_dir) if image else None
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
                    reference_image=reference,
                    idempotency_key=idempotency_key,
                )
        except IntegrityError:
            # Two POSTs with one key raced; the other one's order is the answer.
            existing = self._by_key(principal, idempotency_key or "")
            if existing is None:
                raise
            return existing, False
        self.dispatcher.start(order.id)
        return order, True

    def _by_key(self, principal: Principal, key: str) -> Order | None:
        with self.db.session() as session:
            return repo.find_by_idempotency_key(session, principal.sub, key)

    def get(self, principal: Principal, order_id: uuid.UUID) -> Order:
        with self.db.session() as session:
            order = repo.get_order(session, order_id)
        if order is None or not (principal.sees_all_orders or order.customer_sub == principal.sub):
            raise NotFound(f"order {order_id} not found")
        return order

    def list(
        self, principal: Principal, status: OrderStatus | None, limit: int, offset: int
    ) -> tuple[list[Order], int]:
        with self.db.session() as session:
            return repo.list_orders(
                session,
                customer_sub=None if principal.sees_all_orders else principal.sub,
                status=status,
                limit=limit,
                offset=offset,
            )

    def review(self, principal: Principal, order_id: uuid.UUID, review: ReviewIn) -> Order:
        """Record the decision on the current design version and resume the run."""
        self.get(principal, order_id)
        feedback = review.feedback.strip() if review.feedback else None
        with self.db.session() as session:
            order = repo.get_order(session, order_id, for_update=True)
            assert order is not None
            if order.status != OrderStatus.AWAITING_APPROVAL:
                raise Conflict(
                    f"order {order_id} is {order.status}; only an order awaiting approval "
                    "can be approved or sent back"
                )
            latest = order.design_versions[-1]
            latest.decision = "approved" if review.approved else "changes_requested"
            latest.feedback = feedback
            order.status = OrderStatus.PROCESSING
            order.current_step = "await_review"
        decision: ReviewDecision = {"approved": review.approved, "feedback": feedback}
        self.dispatcher.resume(order_id, decision)
        return self.get(principal, order_id)

    def retry(self, principal: Principal, order_id: uuid.UUID) -> Order:
        """Re-run a failed order's failed step, then carry on."""
        order = self.get(principal, order_id)
        with self.db.session() as session:
            moved = repo.transition(
                session,
                order_id,
                from_=(OrderStatus.FAILED,),
                to=OrderStatus.PROCESSING,
                error=None,
            )
        if not moved:
            raise Conflict(
                f"order {order_id} is {order.status}; only a failed order can be retried"
            )
        self.dispatcher.retry(order_id)
        return self.get(principal, order_id)

    def recover_unfinished(self) -> int:
        """Hand every order a stopped process left unfinished back to the dispatcher."""
        with self.db.session() as session:
            ids = repo.orders_to_recover(session)
        for order_id in ids:
            self.dispatcher.recover(order_id)
        return len(ids)

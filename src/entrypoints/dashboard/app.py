"""The dashboard as a WSGI application: sign in once with a bearer token, then one page per role.

A browser cannot send `Authorization: Bearer` by itself, so the token is handed over once on
/signin (a POST form, or `?token=` for a link) and kept in an HttpOnly, SameSite=Strict cookie;
every request verifies it again with the API's own verifier. Scripts may send the header."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import quote

import structlog
from jinja2 import Environment, FileSystemLoader, select_autoescape
from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound
from werkzeug.routing import Map, Rule
from werkzeug.utils import redirect
from werkzeug.wrappers import Request, Response

from adapters.security.jwt_tokens import TokenVerifier
from application import dashboard
from application.dashboard import DashboardQueries, Role
from application.lineage import LineageReaders
from domain import errors
from domain.principal import Principal
from entrypoints.dashboard import charts

log = structlog.get_logger("o2c.dashboard")

HERE = Path(__file__).parent
COOKIE = "o2c_dashboard"
BEARER = "bearer "
HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}
ROUTES = Map(
    [
        Rule("/", endpoint="home"),
        Rule("/signin", endpoint="signin", methods=["GET", "POST"]),
        Rule("/signout", endpoint="signout", methods=["POST"]),
        Rule("/view/<role>", endpoint="view"),
        Rule("/lineage/<path:business_key>", endpoint="lineage"),
        Rule("/static/dashboard.css", endpoint="stylesheet"),
    ]
)
STATUS_OF = ((errors.Unauthenticated, 401), (errors.CallerNotAllowed, 403), (errors.NotFound, 404))
Clock = Callable[[], dt.datetime]


class DashboardApp:
    def __init__(
        self,
        verifier: TokenVerifier,
        queries: DashboardQueries,
        clock: Any,
        lineage_readers: LineageReaders | None = None,
    ) -> None:
        self.verifier = verifier
        self.queries = queries
        self.lineage_readers = lineage_readers
        self.now: Clock = clock.now
        self.templates = Environment(
            loader=FileSystemLoader(HERE / "templates"),
            autoescape=select_autoescape(default=True),
        )
        self.templates.filters["lineage_url"] = lineage_url
        self.templates.filters["hours"] = hours

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        response = self.respond(Request(environ))
        response.headers.update(HEADERS)
        return response(environ, start_response)

    def respond(self, request: Request) -> Response:
        try:
            endpoint, arguments = ROUTES.bind_to_environ(request.environ).match()
            handle: Callable[..., Response] = getattr(self, endpoint)
            return handle(request, **arguments)
        except errors.DomainError as error:
            return self.refused(error)
        except MethodNotAllowed as error:
            return self.error_page(error.code or 405, "Method not allowed", error.description)
        except NotFound:
            return self.error_page(404, "Not found", "There is no such page.")
        except HTTPException as error:
            return self.error_page(error.code or 400, error.name, error.description)

    def home(self, request: Request) -> Response:
        roles = dashboard.roles_of(self.principal(request))
        return redirect(f"/view/{roles[0].value}", code=303)

    def signin(self, request: Request) -> Response:
        token = (request.form.get("token") or request.args.get("token") or "").strip()
        if not token:
            return self.page("signin.html", status=200)
        roles = dashboard.roles_of(self.verifier.principal_of(token))
        response = redirect(f"/view/{roles[0].value}", code=303)
        response.set_cookie(
            COOKIE,
            token,
            httponly=True,
            samesite="Strict",
            secure=request.is_secure,
            path="/",
        )
        return response

    def signout(self, request: Request) -> Response:
        response = redirect("/signin", code=303)
        response.delete_cookie(COOKIE, path="/", httponly=True, samesite="Strict")
        return response

    def view(self, request: Request, role: str) -> Response:
        viewer = self.principal(request)
        chosen = role_named(role)
        shown = dashboard.role_view(viewer, chosen, self.queries, self.now())
        return self.page(
            "role.html",
            view=shown,
            roles=dashboard.roles_of(viewer),
            viewer=viewer,
            charts=charts_of(shown),
        )

    def lineage(self, request: Request, business_key: str) -> Response:
        viewer = self.principal(request)
        timeline = dashboard.lineage(
            viewer, business_key, self.queries, self.now(), self.lineage_readers
        )
        return self.page(
            "lineage.html",
            business_key=business_key,
            timeline=timeline,
            roles=dashboard.roles_of(viewer),
            viewer=viewer,
        )

    def stylesheet(self, _request: Request) -> Response:
        css = (HERE / "static" / "dashboard.css").read_bytes()
        return Response(css, mimetype="text/css")

    def principal(self, request: Request) -> Principal:
        return self.verifier.principal_of(token_of(request))

    def refused(self, error: errors.DomainError) -> Response:
        status = next((code for kind, code in STATUS_OF if isinstance(error, kind)), 400)
        titles = {401: "Sign in again", 403: "Not for your role", 404: "Not found"}
        log.info("dashboard refused", status=status, reason=error.reason)
        return self.error_page(status, titles.get(status, "Refused"), error.message)

    def error_page(self, status: int, title: str, message: str | None) -> Response:
        return self.page("error.html", status=status, title=title, message=message or "")

    def page(self, template: str, status: int = 200, **values: Any) -> Response:
        html = self.templates.get_template(template).render(**values)
        return Response(html, status=status, mimetype="text/html")


def token_of(request: Request) -> str:
    header = request.headers.get("Authorization", "")
    if header.lower().startswith(BEARER):
        return header[len(BEARER) :].strip()
    token = request.cookies.get(COOKIE, "")
    if not token:
        raise errors.TokenMissing("sign in with your o2c token first")
    return token


def role_named(name: str) -> Role:
    try:
        return Role(name)
    except ValueError:
        raise errors.NotFound(f"there is no {name!r} view") from None


def lineage_url(business_key: str) -> str:
    return "/lineage/" + quote(business_key, safe="")


def hours(value: Decimal) -> str:
    return f"{value.normalize():f}" if value else "0"


def charts_of(view: dashboard.RoleView) -> list[Any]:
    found = [
        charts.bar_chart(
            "Open exceptions per day",
            [(day.day.strftime("%d %b"), day.count) for day in view.open_per_day],
        )
    ]
    if view.unbilled_by_age:
        found.append(
            charts.bar_chart(
                "Unbilled approved time by age (hours)",
                [(bucket.label, bucket.hours) for bucket in view.unbilled_by_age],
                " h",
            )
        )
    if view.control_runs:
        found.append(
            charts.bar_chart(
                "Variances per control run",
                [(f"{run.control} {run.ran_at:%d %b}", run.variances) for run in view.control_runs],
            )
        )
    return found

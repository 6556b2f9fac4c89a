"""Requests and responses of organisations, courses and runs."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import Field, StrictInt

from portfolio.training.course_versions import CourseEdit
from portfolio.training.courses import NewCourse, NewRun
from portfolio.training.documents import Session
from portfolio.training.enums import Delivery, OrganisationKind, OrganisationStatus
from portfolio.training.organisations import NewOrganisation
from portfolio.training.trainers import NewTrainer
from portfolio.vocabulary import SkillBrand, SkillLevel, TrainingType
from schemas.common import Input, Output

Text = Annotated[str, Field(min_length=1, max_length=200)]
Reason = Annotated[str, Field(min_length=1, max_length=500)]


class OrganisationIn(Input):
    """Register a training provider or enterprise."""

    name: Text
    credit_code: Annotated[str, Field(min_length=1, max_length=40)]
    kind: OrganisationKind
    region_code: Annotated[str, Field(min_length=1, max_length=12)]
    credit_code_override_reason: Annotated[str, Field(max_length=500)] = Field(
        default="",
        description="Only for a legal early code failing the GB 32100 check: why it is accepted.",
    )

    def to_domain(self) -> NewOrganisation:
        """The organisation to register."""
        return NewOrganisation(
            name=self.name,
            credit_code=self.credit_code,
            kind=self.kind,
            region_code=self.region_code,
            credit_code_override_reason=self.credit_code_override_reason,
        )


class StatusChangeIn(Input):
    """Why an organisation is suspended or reinstated."""

    reason: Reason


class OrganisationOut(Output):
    """An organisation as its users and agencies see it."""

    id: str
    name: str
    credit_code: str
    credit_code_overridden: bool
    kind: OrganisationKind
    region_code: str
    status: OrganisationStatus
    status_reason: str


class CourseIn(Input):
    """A course a provider offers."""

    title: Text
    occupation_code: Annotated[str, Field(min_length=1, max_length=20)] = Field(
        description="国家职业分类大典 code N-NN-NN-NN, optionally followed by S and/or L flags"
    )
    training_type: TrainingType
    brand: SkillBrand | None = None
    target_level: SkillLevel
    planned_hours: Annotated[float, Field(gt=0, le=5000)]
    delivery: Delivery
    subsidy_standard_fen: Annotated[StrictInt, Field(ge=0, le=10_000_000)] = Field(
        description="subsidy standard per trainee, integer fen"
    )

    def to_domain(self) -> NewCourse:
        """The course to add."""
        return NewCourse(
            title=self.title,
            occupation_code=self.occupation_code,
            training_type=self.training_type,
            brand=self.brand,
            target_level=self.target_level,
            planned_hours=self.planned_hours,
            delivery=self.delivery,
            subsidy_standard_fen=self.subsidy_standard_fen,
        )


class CourseOut(Output):
    """A course."""

    id: str
    organisation_id: str
    region_code: str
    title: str
    occupation_code: str
    digital: bool
    green: bool
    training_type: TrainingType
    brand: SkillBrand | None
    target_level: SkillLevel
    planned_hours: float
    delivery: Delivery
    subsidy_standard_fen: int
    created_at: datetime
    version: int = Field(description="the version of its terms: 0 as added, +1 per edit")


class CourseVersionIn(Input):
    """A new version of a course's terms; runs already scheduled keep theirs."""

    based_on: Annotated[StrictInt, Field(ge=0)] = Field(
        description="the version you edited (the course's current one, else 409)"
    )
    occupation_code: Annotated[str, Field(min_length=1, max_length=20)]
    target_level: SkillLevel
    planned_hours: Annotated[float, Field(gt=0, le=5000)]
    subsidy_standard_fen: Annotated[StrictInt, Field(ge=0, le=10_000_000)]
    note: Annotated[str, Field(max_length=500)] = Field(default="", description="why it changed")

    def to_domain(self) -> CourseEdit:
        """The edit to make."""
        return CourseEdit(
            based_on=self.based_on,
            occupation_code=self.occupation_code,
            target_level=self.target_level,
            planned_hours=self.planned_hours,
            subsidy_standard_fen=self.subsidy_standard_fen,
            note=self.note,
        )


class CourseVersionOut(Output):
    """One version of a course's terms."""

    course_id: str
    version: int
    occupation_code: str
    digital: bool
    green: bool
    target_level: SkillLevel
    planned_hours: float
    subsidy_standard_fen: int
    made_at: datetime
    made_by: str
    note: str
    current: bool


class SessionIn(Input):
    """One session: its number (1-based, in order), day, start time and hours."""

    n: Annotated[StrictInt, Field(ge=1, le=1000)]
    day: date
    start: Annotated[str, Field(pattern=r"^([01]\d|2[0-3]):[0-5]\d$")] = Field(
        description="local start time HH:MM"
    )
    hours: Annotated[float, Field(gt=0, le=12)]

    def to_domain(self) -> Session:
        """The session as the run stores it."""
        return Session(n=self.n, day=self.day, start=self.start, hours=self.hours)


class RunIn(Input):
    """A class of a course."""

    start_date: date
    end_date: date
    capacity: Annotated[StrictInt, Field(ge=1, le=10_000)]
    location: Text
    trainers: Annotated[list[Text], Field(max_length=50)] = Field(
        default_factory=list, description="free text, for runs before the trainer registry"
    )
    trainer_ids: Annotated[list[Annotated[str, Field(max_length=64)]], Field(max_length=50)] = (
        Field(default_factory=list, description="registered trainers of your organisation")
    )
    sessions: Annotated[list[SessionIn], Field(min_length=1, max_length=1000)]

    def to_domain(self) -> NewRun:
        """The class to schedule."""
        return NewRun(
            start_date=self.start_date,
            end_date=self.end_date,
            capacity=self.capacity,
            location=self.location,
            trainers=list(self.trainers),
            sessions=[s.to_domain() for s in self.sessions],
            trainer_ids=list(self.trainer_ids),
        )


class SessionOut(Output):
    """One session of a run."""

    n: int
    day: date
    start: str
    hours: float


class RunOut(Output):
    """A class with its sessions and seats."""

    id: str
    course_id: str
    organisation_id: str
    region_code: str
    start_date: date
    end_date: date
    capacity: int
    seats_taken: int
    location: str
    trainers: list[str]
    trainer_ids: list[str]
    sessions: list[SessionOut]
    course_version: int = Field(description="the course's version it was scheduled under")


class TrainerIn(Input):
    """A trainer of your organisation."""

    name: Annotated[str, Field(min_length=1, max_length=100)]
    qualification: Annotated[str, Field(max_length=200)] = ""
    certificate_number: Annotated[str, Field(max_length=100)] = ""

    def to_domain(self) -> NewTrainer:
        """The trainer to register."""
        return NewTrainer(self.name, self.qualification, self.certificate_number)


class TrainerOut(Output):
    """A registered trainer."""

    id: str
    organisation_id: str
    name: str
    qualification: str
    certificate_number: str
    status: Literal["active", "removed"]
    created_at: datetime

"""What a worker sees of the projects whose group they are in: each project with its
provider, its classes (course, dates) and the worker's own answer, if they gave one. The
worker never sees the group, the budget's use, the flags nor anyone else's answer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from portfolio.accounts import Actor, Role
from portfolio.errors import Forbidden
from portfolio.projects.documents import ProjectAttestation, TrainingProject, attestation_id
from portfolio.training import courses_by_ids, runs_by_ids

MAX_SHOWN = 100


@dataclass(frozen=True)
class ProjectClass:
    """One class (run) a project covers, as the worker reads it."""

    run_id: str
    course_title: str
    start_date: date
    end_date: date


@dataclass(frozen=True)
class MyProject:
    """A project of the worker's group, and the worker's answer ("" until they give one)."""

    id: str
    name: str
    provider_name: str
    classes: tuple[ProjectClass, ...]
    answer: str
    words: str

    @property
    def answerable(self) -> bool:
        """Whether the worker may still say whether they took part (once)."""
        return not self.answer


async def my_projects(*, actor: Actor) -> list[MyProject]:
    """The projects whose group the worker is in, newest first, with their own answers."""
    if actor.role is not Role.WORKER or not actor.archive_id:
        raise Forbidden("a worker reads their own projects")
    found = (
        await TrainingProject.find({"group_archive_ids": {"$all": [actor.archive_id]}})
        .sort("-_id")
        .limit(MAX_SHOWN)
        .to_list()
    )
    wanted = [attestation_id(str(p.id), actor.archive_id) for p in found]
    answers = {a.project_id: a async for a in ProjectAttestation.find({"_id": {"$in": wanted}})}
    runs = await runs_by_ids(sorted({r for p in found for r in p.run_ids}))
    titles = {
        k: c.title for k, c in (await courses_by_ids([r.course_id for r in runs.values()])).items()
    }
    shown: list[MyProject] = []
    for project in found:
        classes = tuple(
            ProjectClass(run_id, titles.get(run.course_id, ""), run.start_date, run.end_date)
            for run_id in project.run_ids
            if (run := runs.get(run_id)) is not None
        )
        answer = answers.get(str(project.id))
        shown.append(
            MyProject(
                id=str(project.id),
                name=project.name,
                provider_name=project.provider_name,
                classes=classes,
                answer=answer.answer if answer else "",
                words=answer.words if answer else "",
            )
        )
    return shown

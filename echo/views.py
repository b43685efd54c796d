from django.shortcuts import render


def tester(request):
    return render(request, "echo/echo.html")
